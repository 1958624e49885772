/**
 * Real Temporal servers for tests: the Java time-skipping server for workflow tests and the CLI
 * dev server (with our search attributes) for integration tests. Binaries come from the
 * provisioning module; `npm test` resolves them once and passes their paths in the environment.
 */
import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { type PacingSleep, realPacingSleep } from '../../activities/delivery/pacing-sleep';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/lib/provision';
import { type Activities, type ActivityDeps, createActivities } from '../../activities';
import { createKujiWorker, type KujiWorkerOptions, workflowsPath } from '../../worker/worker';
import type { campaignV2 } from '../../workflows';
import {
  resolveInterventionUpdate,
  type ResolveInterventionUpdateInput,
} from '../../workflows/messages';
import { campaignSearchAttributes } from '../../workflows/search-attributes';

/**
 * The pacing sleep the tests' workers get (ActivityDeps.pacingSleep): a thirtieth of the gap,
 * at least 150 ms (or the whole gap when shorter) and at most 2 s. Pacing is real time inside
 * the sending activity, and the time-skipping server skips no time while an activity runs, so a
 * real 20–60 s gap per DM would make every delivering scenario take minutes. The floor keeps a
 * gap long enough for a pause, a cancel or a change to reach the batch before the next send, as
 * a real gap does (`testWorker` delivers cancellation within 20 ms). Production and `npm start`
 * wait the real gap.
 */
export const compressedPacingSleep: PacingSleep = (ms, signal) =>
  realPacingSleep(Math.min(ms, Math.max(150, Math.min(2_000, ms / 30))), signal);

/** The real activities with the tests' compressed pacing (see compressedPacingSleep). */
export function testActivities(deps: ActivityDeps): Activities {
  return createActivities({ pacingSleep: compressedPacingSleep, ...deps });
}

/** A Kuji worker for tests: cancellation reaches a sending batch within 20 ms. */
export function testWorker(options: KujiWorkerOptions): Promise<Worker> {
  return createKujiWorker({ heartbeatThrottleMs: 20, ...options });
}

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

const tsMs = (ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);

/**
 * Call before a signal or update that ends a wait with a timeout on the time-skipping server.
 * The Java test server rejects a CancelTimer for a timer that fired while the workflow task was
 * in flight ("invalid history builder state for action", sdk-java #2606). The run then hangs
 * with its workflow task started forever (#3088). So this lets any timer of the workflow due
 * within `marginMs` of the server's clock fire first. A workflow waiting on a timer of a minute
 * then has the whole minute clear for the message.
 */
export async function stepPastDueTimers(
  env: TestWorkflowEnvironment,
  handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> },
  marginMs = 2_000,
): Promise<void> {
  // A timer that fires may start the next one soon after (a pacing gap): look again.
  for (let step = 0; step < 10; step += 1) {
    const history = await handle.fetchHistory();
    const dueAt = new Map<string, number>();
    for (const event of history.events ?? []) {
      const started = event.timerStartedEventAttributes;
      if (started) {
        dueAt.set(String(event.eventId), tsMs(event.eventTime) + tsMs(started.startToFireTimeout));
      }
      const ended =
        event.timerFiredEventAttributes?.startedEventId ??
        event.timerCanceledEventAttributes?.startedEventId;
      if (ended != null) dueAt.delete(String(ended));
    }
    const now = await env.currentTimeMs();
    const soonest = Math.min(...dueAt.values());
    if (!Number.isFinite(soonest) || soonest - now >= marginMs) return;
    await env.sleep(Math.max(0, soonest - now) + 1_000);
  }
  throw new Error(`timers kept falling due within ${marginMs} ms: no clear moment to send in`);
}

/** An intervention's resolution, sent clear of the workflow's timers (see stepPastDueTimers). */
export async function resolveClearOfTimers(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof campaignV2>,
  args: ResolveInterventionUpdateInput,
) {
  await stepPastDueTimers(env, handle);
  return handle.executeUpdate(resolveInterventionUpdate, { args: [args] });
}
