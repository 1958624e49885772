/**
 * The deliverBatch activity on its own, against the X emulator and a real database: drawn
 * campaigns with queued win DMs, and attempts run in a mock activity environment on a fake clock
 * the pacing sleep moves. Shared by the activity tests of transient failures and rate limits.
 */
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCampaignRuntimeActivities } from '../../activities';
import {
  type BatchProgress,
  createDeliverBatchActivity,
  type DeliverBatchDeps,
  type DeliverBatchInput,
  type DeliverBatchResult,
} from '../../activities/delivery/deliver-batch';
import { createXAccess } from '../../activities/x-access';
import { listDeliveries } from '../../db/repositories/deliveries';
import type { XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from './campaign-world';
import type { TestDatabase } from './database';
import { testCredentialsKey } from './fixtures';
import { silentLogger } from './silent-logger';

export const T0 = Date.parse('2026-12-03T01:00:00.000Z');
export interface Attempt {
  result?: DeliverBatchResult;
  error?: unknown;
  heartbeats: BatchProgress[];
}

/** The helpers, over the test file's database and emulator (read when called). */
export function deliverBatchWorld(world: {
  testDb: () => TestDatabase;
  emulator: () => XEmulator;
}) {
  /** A drawn campaign with `count` winners, each with a queued win DM, oldest first. */
  async function queuedWins(
    prefix: string,
    count: number,
    options: { dmDailyCap?: number; closedDms?: number } = {},
  ) {
    const people = participants(count, prefix);
    const closed = people.slice(0, options.closedDms ?? 0).map((p) => p.id);
    await world.emulator().loadScenario(worldScenario(people, { closedDms: closed }));
    const accountId = await seedLinkedAccount(world.testDb().db, {
      dmDailyCap: options.dmDailyCap,
    });
    const campaign = await seedCampaignWithEntries(world.testDb().db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: count }),
    });
    const runtime = createCampaignRuntimeActivities({
      db: world.testDb().db,
      x: createXAccess({
        db: world.testDb().db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: world.emulator().url,
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
    const queued = await listDeliveries(world.testDb().db, { campaignId: campaign.id, limit: 100 });
    const ids = queued
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((d) => d.id);
    return { campaignId: campaign.id, runtime, ids };
  }

  /** The batch on a fake clock its pacing sleep moves; `beforeSend` may inject X faults. */
  function batchWorld(
    runtime: Awaited<ReturnType<typeof queuedWins>>['runtime'],
    beforeSend?: (index: number) => void,
    deps: Pick<DeliverBatchDeps, 'xBudget'> = {},
  ) {
    let nowMs = T0;
    let sends = 0;
    const batch = createDeliverBatchActivity({
      db: world.testDb().db,
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
      ...deps,
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

  const lastSeq = () => world.emulator().requestLog.at(-1)?.seq ?? 0;

  return { queuedWins, batchWorld, input, lastSeq };
}
