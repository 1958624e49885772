/**
 * Every committed history (test/histories/) must replay against the current workflow code:
 * a change that would break running campaigns fails here. No server needed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal';

const historiesDir = path.join(__dirname, '..', 'histories');

describe('workflow replay over committed histories', () => {
  const files = readdirSync(historiesDir)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has histories to replay', () => {
    assert.ok(files.length >= 3, 'record some with scripts/record-histories.ts');
  });

  it('replays every history without nondeterminism', async () => {
    const histories = files.map((file) => ({
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
});
