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
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCampaignRuntimeActivities } from '../../activities';
import {
  type BatchProgress,
  createDeliverBatchActivity,
  type DeliverBatchInput,
  type DeliverBatchResult,
} from '../../activities/delivery/deliver-batch';
import { createXAccess } from '../../activities/x-access';
import { listDeliveries } from '../../db/repositories/deliveries';
import { startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';

const T0 = Date.parse('2026-12-03T01:00:00.000Z');
const silentLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface Attempt {
  result?: DeliverBatchResult;
  error?: unknown;
  heartbeats: BatchProgress[];
}

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

  /** A drawn campaign with `count` winners, each with a queued win DM, oldest first. */
  async function queuedWins(prefix: string, count: number) {
    const people = participants(count, prefix);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: count }),
    });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await runtime.prepareCampaign({ campaignId: campaign.id });
    await runtime.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 100,
    });
    assert.equal((await runtime.drawCampaign({ campaignId: campaign.id })).queued, count);
    const queued = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 100 });
    const ids = queued
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((d) => d.id);
    return { campaignId: campaign.id, runtime, ids };
  }

  /** The batch on a fake clock its pacing sleep moves; `beforeSend` may inject X faults. */
  function batchWorld(
    runtime: Awaited<ReturnType<typeof queuedWins>>['runtime'],
    beforeSend?: (index: number) => void,
  ) {
    let nowMs = T0;
    let sends = 0;
    const batch = createDeliverBatchActivity({
      db: testDb.db,
      sendDelivery: (input) => {
        beforeSend?.(sends);
        sends += 1;
        return runtime.sendDelivery(input);
      },
      pacingSleep: (ms) => {
        nowMs += ms;
        return Promise.resolve();
      },
      random: () => 0.5,
      clock: () => nowMs,
    });
    return async function attempt(
      input: DeliverBatchInput,
      info: { attempt?: number; heartbeatDetails?: unknown } = {},
    ): Promise<Attempt> {
      const environment = new MockActivityEnvironment(
        {
          attempt: info.attempt ?? 1,
          heartbeatDetails: info.heartbeatDetails,
          scheduledTimestampMs: T0,
          currentAttemptScheduledTimestampMs: T0,
        },
        { logger: silentLogger },
      );
      const heartbeats: BatchProgress[] = [];
      environment.on('heartbeat', (details: BatchProgress) =>
        heartbeats.push(structuredClone(details)),
      );
      try {
        return { result: await environment.run(() => batch.deliverBatch(input)), heartbeats };
      } catch (error) {
        return { error, heartbeats };
      }
    };
  }

  const input = (campaignId: string): DeliverBatchInput => ({
    campaignId,
    now: new Date(T0).toISOString(),
    maxSends: 100,
    pacing: { minGapSeconds: 20, jitterSeconds: 10 },
    safety: { errorRateThreshold: 0.5, errorRateWindow: 20, errorRateMinAttempts: 10 },
    recentFailures: [],
  });

  const lastSeq = () => emulator.requestLog.at(-1)?.seq ?? 0;

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
