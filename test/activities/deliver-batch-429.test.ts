/**
 * A 429 on a DM send is X's "not now", never a failure: whatever send of a batch meets it, the
 * batch ends with `retry_later` at X's reset (the workflow's wait), the DM goes back to the queue
 * with nothing to reconcile (X refused it before taking it), and the next batch sends it without
 * reading the conversation first.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
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
