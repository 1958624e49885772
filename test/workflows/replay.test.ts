/**
 * Every committed history (test/histories/) must replay against the code of the build that
 * recorded it: a change that would break running campaigns fails here. No server needed.
 *
 * Builds are workflow types. A history's first event names its type, and the type names the
 * module that runs it: `campaignWorkflow` (the frozen first engine, workflows/legacy/, builds of
 * 2026-11-22 to 2026-12-03, with its patch markers) and `campaignV2` (workflows/campaign/, no
 * patches). The worker registers both, so each history replays against its own build.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal';

const historiesDir = path.join(__dirname, '..', 'histories');

/** Each workflow type the worker registers, and the build whose code runs it. */
const builds: Record<string, string> = {
  campaignWorkflow: 'first engine (workflows/legacy/campaign-workflow.ts, frozen)',
  campaignV2: 'reshaped engine (workflows/campaign/)',
};

function workflowTypeOf(file: string): string {
  const json = JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as {
    events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
  };
  return json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
}

describe('workflow replay over committed histories', () => {
  const files = readdirSync(historiesDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const byType = new Map<string, string[]>();
  for (const file of files) {
    const type = workflowTypeOf(file);
    byType.set(type, [...(byType.get(type) ?? []), file]);
  }

  it('has histories of every build the worker still runs', () => {
    for (const type of Object.keys(builds)) {
      assert.ok(
        (byType.get(type)?.length ?? 0) >= 3,
        `record histories of ${type} with scripts/record-histories.ts`,
      );
    }
    const unknown = [...byType.keys()].filter((type) => !(type in builds));
    assert.deepEqual(unknown, [], 'every history belongs to a build the worker registers');
  });

  for (const [type, build] of Object.entries(builds)) {
    it(`replays every ${type} history against the ${build}`, async () => {
      const histories = (byType.get(type) ?? []).map((file) => ({
        workflowId: file,
        history: historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'))),
      }));
      const failures: string[] = [];
      for await (const result of Worker.runReplayHistories(
        { workflowBundle: await workflowBundle() },
        histories,
      )) {
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      assert.deepEqual(failures, []);
    });
  }
});
