/**
 * deliverBatch: one activity sends a campaign's queued DMs, paced inside it on the injected
 * sleep, heartbeating its progress and honouring cancellation; every stop of the per-DM loop
 * (quota, halt, error rate) ends the batch with its reason, and a transient failure fails the
 * attempt so that a retry goes on from the heartbeat's progress.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  type BatchProgress,
  createDeliverBatchActivity,
  type DeliverBatchDeps,
  type DeliverBatchInput,
  type DeliverBatchResult,
} from '../../activities/delivery/deliver-batch';
import { startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { deliverBatchWorld, T0 } from '../support/deliver-batch-world';
import { silentLogger } from '../support/silent-logger';

const SAFE = { errorRateThreshold: 0.5, errorRateWindow: 20, errorRateMinAttempts: 10 };
interface Attempt {
  result?: DeliverBatchResult;
  error?: unknown;
  heartbeats: BatchProgress[];
}

describe('deliverBatch activity', () => {
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

  const { queuedWins } = deliverBatchWorld({
    testDb: () => testDb,
    emulator: () => emulator,
  });

  /**
   * The batch on a fake clock that only the pacing sleep moves: what each send was dated and
   * each wait asked for are exact. `onSleep` may cancel the attempt; `beforeSend` may inject faults.
   */
  function batchWorld(
    runtime: Awaited<ReturnType<typeof queuedWins>>['runtime'],
    options: {
      random?: () => number;
      beforeSend?: (index: number, deliveryId: string) => void;
      send?: DeliverBatchDeps['sendDelivery'];
    } = {},
  ) {
    let nowMs = T0;
    const sends: { deliveryId: string; at: number }[] = [];
    const sleeps: number[] = [];
    let onSleep: (() => void) | undefined;
    const batch = createDeliverBatchActivity({
      db: testDb.db,
      sendDelivery: (input) => {
        options.beforeSend?.(sends.length, input.deliveryId);
        sends.push({ deliveryId: input.deliveryId, at: Date.parse(input.now) });
        return (options.send ?? ((i) => runtime.sendDelivery(i)))(input);
      },
      pacingSleep: (ms) => {
        sleeps.push(ms);
        nowMs += ms;
        onSleep?.();
        return Promise.resolve();
      },
      random: options.random ?? (() => 0.5),
      clock: () => nowMs,
    });
    async function attempt(
      input: DeliverBatchInput,
      info: { attempt?: number; heartbeatDetails?: unknown; retryAfterMs?: number } = {},
      cancelOnSleep = false,
    ): Promise<Attempt> {
      const environment = new MockActivityEnvironment(
        {
          attempt: info.attempt ?? 1,
          heartbeatDetails: info.heartbeatDetails,
          scheduledTimestampMs: T0,
          currentAttemptScheduledTimestampMs: T0 + (info.retryAfterMs ?? 0),
        },
        { logger: silentLogger },
      );
      const heartbeats: BatchProgress[] = [];
      environment.on('heartbeat', (details: BatchProgress) =>
        heartbeats.push(structuredClone(details)),
      );
      onSleep = cancelOnSleep ? () => environment.cancel() : undefined;
      try {
        const result: DeliverBatchResult = await environment.run(() => batch.deliverBatch(input));
        return { result, heartbeats };
      } catch (error) {
        return { error, heartbeats };
      }
    }
    return { attempt, sends, sleeps };
  }

  const input = (campaignId: string, overrides: Partial<DeliverBatchInput> = {}) => ({
    campaignId,
    now: new Date(T0).toISOString(),
    maxSends: 100,
    pacing: { minGapSeconds: 20, jitterSeconds: 10 },
    safety: SAFE,
    recentFailures: [],
    ...overrides,
  });

  const dmsTo = (count: number) => emulator.sent().dms.length - count;

  it('sends every queued DM paced by the minimum gap plus jitter, and stops drained', async () => {
    const { campaignId, runtime, ids } = await queuedWins('paced', 4);
    const before = emulator.sent().dms.length;
    const world = batchWorld(runtime, { random: () => 0.5 });
    // The previous batch's last send was 5 s before this one was scheduled: the gap carries.
    const run = await world.attempt(input(campaignId, { lastSendAtMs: T0 - 5_000 }));

    assert.equal(run.error, undefined);
    assert.deepEqual(run.result, {
      sent: 4,
      failed: 0,
      recentFailures: [false, false, false, false],
      lastSendAtMs: T0 + 95_000,
      queueLength: 0,
      stop: { kind: 'drained' },
    });
    assert.deepEqual(
      world.sends.map((s) => s.deliveryId),
      ids,
      'oldest first',
    );
    // 20 s + half the 10 s jitter after the last send, on the injected clock.
    assert.deepEqual(
      world.sends.map((s) => s.at - T0),
      [20_000, 45_000, 70_000, 95_000],
    );
    for (const [i, send] of world.sends.entries()) {
      const previous = i === 0 ? T0 - 5_000 : world.sends[i - 1]!.at;
      assert.ok(send.at - previous >= 20_000, `gap before send ${i} holds the minimum`);
    }
    // Waited in steps of at most a second, with a heartbeat before each.
    assert.ok(world.sleeps.every((ms) => ms <= 1_000));
    assert.equal(
      world.sleeps.reduce((a, b) => a + b, 0),
      95_000,
    );
    assert.ok(run.heartbeats.length >= 95, 'a heartbeat at least every second of waiting');
    assert.deepEqual(run.heartbeats.at(-1), {
      sent: 4,
      failed: 0,
      recentFailures: [false, false, false, false],
      lastSendAtMs: T0 + 95_000,
    });
    assert.equal(dmsTo(before), 4);
  });

  it('draws the jitter per gap and stops after maxSends sends', async () => {
    const { campaignId, runtime } = await queuedWins('capped', 3);
    const draws = [0.9, 0];
    const world = batchWorld(runtime, { random: () => draws.shift() ?? 0 });
    const run = await world.attempt(input(campaignId, { maxSends: 2 }));

    assert.equal(run.result?.sent, 2);
    assert.deepEqual(run.result?.stop, { kind: 'max_sends' });
    assert.equal(run.result?.queueLength, 1);
    // No wait before the first send of a campaign; then 20 s + 0.9 × 10 s.
    assert.deepEqual(
      world.sends.map((s) => s.at - T0),
      [0, 29_000],
    );
  });

  it('returns cancelled at once when cancelled during a pacing wait, and sends nothing more', async () => {
    const { campaignId, runtime } = await queuedWins('cancelled', 3);
    const before = emulator.sent().dms.length;
    const world = batchWorld(runtime);
    const run = await world.attempt(input(campaignId), {}, true);

    assert.equal(run.error, undefined, 'a normal return, not a cancellation failure');
    assert.deepEqual(run.result, {
      sent: 1,
      failed: 0,
      recentFailures: [false],
      lastSendAtMs: T0,
      queueLength: 2,
      stop: { kind: 'cancelled' },
    });
    assert.equal(world.sleeps.length, 1, 'the wait ended on the cancellation');
    assert.equal(world.sends.length, 1);
    assert.equal(dmsTo(before), 1);
  });

  it("stops at the day's cap with the next window's instant", async () => {
    const { campaignId, runtime } = await queuedWins('quota', 3, { dmDailyCap: 2 });
    const world = batchWorld(runtime);
    const run = await world.attempt(input(campaignId));

    assert.equal(run.result?.sent, 2);
    assert.equal(run.result?.stop.kind, 'quota_full');
    assert.ok(run.result?.stop.kind === 'quota_full');
    // The next local day in Asia/Tokyo after the third send's time.
    assert.equal(run.result.stop.nextWindowAt, '2026-12-03T15:00:00.000Z');
    assert.equal(run.result.queueLength, 1);
  });

  it('stops halted, naming the delivery, when X restricts the sender', async () => {
    const { campaignId, runtime, ids } = await queuedWins('halted', 3);
    const world = batchWorld(runtime, {
      beforeSend: (index) => {
        if (index === 1)
          emulator.injectFault({ endpoint: 'dm.send', fault: 'automated', count: 1 });
      },
    });
    const run = await world.attempt(input(campaignId));

    assert.equal(run.result?.sent, 1);
    assert.equal(run.result?.stop.kind, 'halted');
    assert.ok(run.result?.stop.kind === 'halted');
    assert.equal(run.result.stop.deliveryId, ids[1]);
    assert.equal(run.result.stop.category, 'sender_restricted');
    assert.equal(run.result.stop.accountHalted, true);
    assert.equal(run.result.queueLength, 2, 'the halted delivery is queued again');
    assert.equal(world.sends.length, 2);
  });

  it('stops on the error rate, counting the window carried in from earlier batches', async () => {
    const { campaignId, runtime } = await queuedWins('errors', 3, { closedDms: 3 });
    const world = batchWorld(runtime);
    const run = await world.attempt(
      input(campaignId, {
        safety: { errorRateThreshold: 0.5, errorRateWindow: 4, errorRateMinAttempts: 3 },
        recentFailures: [false, true],
      }),
    );

    assert.deepEqual(run.result, {
      sent: 0,
      failed: 1,
      recentFailures: [],
      lastSendAtMs: T0,
      queueLength: 2,
      stop: { kind: 'error_rate', failed: 2, window: 4, threshold: 0.5 },
    });
  });

  it('ends the batch on a transient X error after it has sent (retry_later), and a retry goes on from the heartbeat', async () => {
    const { campaignId, runtime, ids } = await queuedWins('transient', 3);
    const before = emulator.sent().dms.length;
    const world = batchWorld(runtime, {
      beforeSend: (index) => {
        if (index === 1)
          emulator.injectFault({ endpoint: 'dm.send', fault: 'service_unavailable', count: 1 });
      },
    });
    const first = await world.attempt(input(campaignId));

    // Not a failed attempt: the retry budget counts failures in a row, as it did per DM.
    assert.equal(first.error, undefined, String(first.error));
    assert.equal(first.result?.sent, 1);
    assert.equal(first.result?.stop.kind, 'retry_later');
    assert.equal(first.result?.stop.kind === 'retry_later' && first.result.stop.deliveryId, ids[1]);
    const progress = first.heartbeats.at(-1);
    assert.equal(progress?.sent, 1);
    assert.deepEqual(progress?.recentFailures, [false]);
    assert.equal(progress?.lastSendAtMs, T0);

    // A worker lost after that heartbeat: Temporal retries with the same input, 30 s after the
    // first schedule, with the details.
    const retry = await world.attempt(input(campaignId), {
      attempt: 2,
      heartbeatDetails: progress,
      retryAfterMs: 30_000,
    });
    assert.equal(retry.error, undefined);
    assert.equal(retry.result?.sent, 3, 'counts across both attempts');
    assert.deepEqual(retry.result?.recentFailures, [false, false, false]);
    assert.deepEqual(retry.result?.stop, { kind: 'drained' });
    assert.equal(dmsTo(before), 3, 'each DM reached X once');
    // The retry starts 30 s into the batch (past the 25 s gap) and paces on from there.
    const retried = world.sends.slice(2).map((s) => s.at - T0);
    assert.deepEqual(retried, [30_000, 55_000]);
  });

  it("ends the batch retry_later with a rate limit's retry delay, even on its first send", async () => {
    const { campaignId, runtime, ids } = await queuedWins('ratelimited', 2);
    const limited = ApplicationFailure.create({
      type: 'rate_limited',
      message: 'Rate limit reached; retrying at the reset.',
      nextRetryDelay: 42_000,
      details: [{ code: 'rate_limited' }],
    });
    const world = batchWorld(runtime, {
      send: () => Promise.reject(limited),
    });
    const run = await world.attempt(input(campaignId));

    // A 429 is not a failure: it never uses the attempt's retry budget.
    assert.equal(run.error, undefined, String(run.error));
    assert.deepEqual(run.result?.stop, {
      kind: 'retry_later',
      afterMs: 42_000,
      code: 'rate_limited',
      deliveryId: ids[0],
    });
    assert.equal(run.result?.sent, 0);
  });
});
