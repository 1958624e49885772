/**
 * deliverBatch and X's transient failures (review fixes of a5591be): a 5xx or a 429 after the
 * attempt has sent ends the batch with `retry_later` (what it sent counted, X's wait carried)
 * instead of failing the attempt; on the first send of an attempt it still fails it, so Temporal
 * retries. And a retried attempt reconciles with X (a dm_events read) before its first send
 * only: the sends after it are first attempts of their own.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliverBatchWorld } from '../support/deliver-batch-world';

describe('deliverBatch after a transient X failure', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  const { queuedWins, batchWorld, input, lastSeq } = deliverBatchWorld({
    testDb: () => testDb,
    emulator: () => emulator,
  });

  it('ends the batch retry_later after a 503 once it has sent, and still fails the attempt on a first send', async () => {
    const { campaignId, runtime, ids } = await queuedWins('unavailable', 4);
    const before = emulator.sent().dms.length;
    const attempt = batchWorld(runtime, (index) => {
      // The first send of the first attempt, then the third send (the second of attempt 2).
      if (index === 0 || index === 2)
        emulator.injectFault({ endpoint: 'dm.send', fault: 'service_unavailable', count: 1 });
    });

    const first = await attempt(input(campaignId));
    assert.ok(first.error instanceof ApplicationFailure, 'nothing sent yet: the attempt fails');
    assert.equal(first.error.nonRetryable, false, 'Temporal retries it');
    assert.equal(first.result, undefined);

    const retry = await attempt(input(campaignId), {
      attempt: 2,
      heartbeatDetails: first.heartbeats.at(-1),
    });
    assert.equal(retry.error, undefined, `a result, not a failure: ${String(retry.error)}`);
    assert.equal(retry.result?.sent, 1, 'the DM sent before the failure is counted');
    assert.equal(retry.result?.failed, 0);
    assert.deepEqual(retry.result?.recentFailures, [false]);
    assert.deepEqual(retry.result?.stop, {
      kind: 'retry_later',
      afterMs: 5_000,
      code: 'service_unavailable',
      deliveryId: ids[1],
    });
    assert.equal(retry.result?.queueLength, 3, 'the failed DM stays queued with the rest');
    assert.equal(emulator.sent().dms.length - before, 1);
  });

  it("counts transient failures in a row in its heartbeat, X's or the database's, each with its own backoff, and does not retry the tenth", async () => {
    const { campaignId, runtime } = await queuedWins('inrow', 2);
    const before = emulator.sent().dms.length;
    let databaseDown = true;
    // The budget check reads PostgreSQL before each send: a failure there is not X's.
    const attempt = batchWorld(runtime, undefined, {
      xBudget: {
        checkBudget: () =>
          databaseDown
            ? Promise.reject(new Error('Connection terminated unexpectedly'))
            : Promise.resolve(null),
      },
    });

    const first = await attempt(input(campaignId));
    assert.ok(first.error instanceof ApplicationFailure);
    assert.equal(first.error.nonRetryable, false);
    assert.equal(first.error.nextRetryDelay, 5_000);
    assert.equal(first.heartbeats.at(-1)?.failuresInRow, 1);
    const second = await attempt(input(campaignId), {
      attempt: 2,
      heartbeatDetails: first.heartbeats.at(-1),
    });
    assert.ok(second.error instanceof ApplicationFailure);
    assert.equal(second.error.nextRetryDelay, 10_000, 'doubled');
    assert.equal(second.heartbeats.at(-1)?.failuresInRow, 2);

    const tenth = await attempt(input(campaignId), {
      attempt: 14,
      heartbeatDetails: { ...second.heartbeats.at(-1), failuresInRow: 9 },
    });
    assert.ok(tenth.error instanceof ApplicationFailure);
    assert.equal(tenth.error.nonRetryable, true, 'a person looks');
    assert.match(tenth.error.message, /10 attempts in a row failed/);

    // Back up after the second failure: the batch sends both and the count is gone.
    databaseDown = false;
    const recovered = await attempt(input(campaignId), {
      attempt: 3,
      heartbeatDetails: second.heartbeats.at(-1),
    });
    assert.equal(recovered.error, undefined, String(recovered.error));
    assert.equal(recovered.result?.sent, 2);
    assert.equal(recovered.heartbeats.at(-1)?.failuresInRow, undefined);
    assert.equal(emulator.sent().dms.length - before, 2);
  });

  it("ends the batch retry_later with X's reset as the wait after a 429 once it has sent", async () => {
    const { campaignId, runtime, ids } = await queuedWins('limited', 3);
    const resetSeconds = Math.floor(Date.now() / 1000) + 120;
    let window: { from: number; to: number } | undefined;
    const attempt = batchWorld(runtime, (index) => {
      if (index !== 1) return;
      window = { from: Date.now(), to: Number.NaN };
      emulator.injectFault({
        endpoint: 'dm.send',
        count: 1,
        fault: {
          kind: 'response',
          status: 429,
          body: { title: 'Too Many Requests', detail: 'Too Many Requests', status: 429 },
          headers: {
            'x-rate-limit-limit': '15',
            'x-rate-limit-remaining': '0',
            'x-rate-limit-reset': String(resetSeconds),
          },
        },
      });
    });

    const run = await attempt(input(campaignId));
    const settledAt = Date.now();
    assert.equal(run.error, undefined, `a result, not a failure: ${String(run.error)}`);
    assert.ok(window);
    const stop = run.result?.stop;
    assert.ok(stop?.kind === 'retry_later', JSON.stringify(stop));
    assert.equal(stop.code, 'rate_limited');
    assert.equal(stop.deliveryId, ids[1]);
    // X's retry delay: from the moment X answered to its reset.
    assert.ok(
      stop.afterMs <= resetSeconds * 1000 - window.from &&
        stop.afterMs >= resetSeconds * 1000 - settledAt,
      `afterMs ${stop.afterMs} is the time left to X's reset`,
    );
    assert.equal(run.result?.sent, 1);
    assert.equal(run.result?.queueLength, 2);
  });

  it("reconciles only a retried attempt's first send with X, not each of its sends", async () => {
    const { campaignId, runtime } = await queuedWins('reconcile', 3);
    const before = emulator.sent().dms.length;
    const attempt = batchWorld(runtime, (index) => {
      if (index === 0)
        emulator.injectFault({ endpoint: 'dm.send', fault: 'service_unavailable', count: 1 });
    });
    const first = await attempt(input(campaignId));
    assert.ok(first.error instanceof ApplicationFailure);

    const since = lastSeq();
    const retry = await attempt(input(campaignId), {
      attempt: 2,
      heartbeatDetails: first.heartbeats.at(-1),
    });
    assert.equal(retry.error, undefined, String(retry.error));
    assert.equal(retry.result?.sent, 3);
    assert.deepEqual(retry.result?.stop, { kind: 'drained' });
    assert.equal(emulator.sent().dms.length - before, 3, 'each DM reached X once');
    assert.equal(
      emulator.requests({ since, endpoint: 'dm.events' }).length,
      1,
      'one dm_events read: before the first send of attempt 2 only',
    );
    assert.equal(emulator.requests({ since, endpoint: 'dm.send' }).length, 3);
  });
});
