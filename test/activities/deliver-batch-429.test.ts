/**
 * A 429 on a DM send is X's "not now", never a failure: whatever send of a batch meets it, the
 * batch ends with `retry_later` at X's reset (the workflow's wait), the DM goes back to the queue
 * with nothing to reconcile (X refused it before taking it), and the next batch sends it without
 * reading the conversation first.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { listDeliveries } from '../../db/repositories/deliveries';
import { startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliverBatchWorld } from '../support/deliver-batch-world';

describe('deliverBatch and X rate limits on DM sends', () => {
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

  const rateLimitedAnswer = (resetSeconds: number) => ({
    kind: 'response' as const,
    status: 429,
    body: { title: 'Too Many Requests', detail: 'Too Many Requests', status: 429 },
    headers: {
      'x-rate-limit-limit': '15',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(resetSeconds),
    },
  });

  it("ends the batch retry_later at X's reset when its first send meets a 429, and the next batch sends without a read", async () => {
    const { campaignId, runtime, ids } = await queuedWins('first429', 2);
    const before = emulator.sent().dms.length;
    const resetSeconds = Math.floor(Date.now() / 1000) + 120;
    const attempt = batchWorld(runtime, (index) => {
      if (index === 0)
        emulator.injectFault({
          endpoint: 'dm.send',
          count: 1,
          fault: rateLimitedAnswer(resetSeconds),
        });
    });

    const startedAt = Date.now();
    const first = await attempt(input(campaignId));
    const settledAt = Date.now();
    assert.equal(first.error, undefined, `a result, not a failed attempt: ${String(first.error)}`);
    const stop = first.result?.stop;
    assert.ok(stop?.kind === 'retry_later', JSON.stringify(stop));
    assert.equal(stop.code, 'rate_limited');
    assert.equal(stop.deliveryId, ids[0]);
    assert.ok(
      stop.afterMs <= resetSeconds * 1000 - startedAt + 2_000 &&
        stop.afterMs >= resetSeconds * 1000 - settledAt,
      `afterMs ${stop.afterMs} is the time left to X's reset`,
    );
    assert.equal(first.result?.sent, 0);
    assert.equal(first.result?.failed, 0);
    assert.equal(first.result?.queueLength, 2);

    // X did not take it: the row is queued again, not left 'sending' for a conversation read.
    const rows = await listDeliveries(testDb.db, { campaignId, limit: 10 });
    const limited = rows.find((row) => row.id === ids[0]);
    assert.equal(limited?.state, 'queued');

    // The next batch (a new activity, attempt 1) sends both without reading the conversation.
    const since = lastSeq();
    const next = await attempt(input(campaignId));
    assert.equal(next.error, undefined, String(next.error));
    assert.deepEqual(next.result?.stop, { kind: 'drained' });
    assert.equal(next.result?.sent, 2);
    assert.deepEqual(
      emulator.requests({ since, endpoint: 'dm.events' }).map((entry) => entry.status),
      [],
      'no conversation read',
    );
    assert.equal(emulator.sent().dms.length - before, 2, 'each DM reached X once');
  });
});
