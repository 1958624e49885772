/**
 * Real Temporal servers for tests: the Java time-skipping server for workflow tests and the CLI
 * dev server (with our search attributes) for integration tests. Binaries come from the
 * provisioning module; `npm test` resolves them once and passes their paths in the environment.
 */
import { readFileSync } from 'node:fs';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/lib/provision';
import { workflowsPath } from '../../worker/worker';
import { campaignSearchAttributes } from '../../workflows/search-attributes';

const indexedValueTypes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: await ensureTestServer() },
  });
  // The Java test server knows no custom search attributes until they are registered.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      campaignSearchAttributes.map((key) => {
        const type = indexedValueTypes[key.type];
        if (type === undefined) throw new Error(`no indexed value type for ${key.type}`);
        return [key.name, type];
      }),
    ),
  });
  return env;
}

export async function createDevServerEnv(
  options: { ui?: boolean; uiPort?: number } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: await ensureTemporalCli(),
      searchAttributes: [...campaignSearchAttributes],
      ip: '127.0.0.1',
      ...(options.ui ? { ui: true, uiPort: options.uiPort } : {}),
    },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The suite's prebuilt bundle, or one built for this file when run alone. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= (async () => {
    const file = process.env.KUJI_WORKFLOW_BUNDLE;
    if (file) return { code: readFileSync(file, 'utf8') };
    return bundleWorkflowCode({ workflowsPath });
  })();
  return bundle;
}
