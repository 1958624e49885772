/**
 * An instant win answers while entries keep arriving. X's webhook delivers a burst one event at
 * a time, each a nudge; before the slice sent amid arrivals, every nudge cancelled the batch
 * before it sent and the next pass decided entries again, so no result went out until the
 * stream ended (#14's latency benchmark: 0–1 batches while 500 entries arrived). Here a new
 * entry arrives while every decision runs, for 30 decisions: results must go out meanwhile,
 * and every participant still gets exactly one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { insertEntryEvents } from '../../db/repositories/entries';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { campaignV2 } from '../../workflows';
import { approveSignal, entriesArrivedSignal, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { startXEmulator, type XEmulator } from '../../emulator';
import { judgeExactlyOnce } from '../../drills/judge';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, seedApprovers } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  testActivities,
  testWorker,
  workflowBundle,
} from '../support/temporal';

const FIRST_ENTRANTS = 5;

/**
 * How the stream arrives. Each decision takes at most `decisionLimit` entries (the workflow asks
 * for 500; the test narrows it to make a long stream small) and `perDecision` more land while
 * it runs: with 1 and 1, each decision ends with none left; with 1 and 2, each ends with more
 * left than it took, as when X's webhook delivers a burst faster than it is decided. Audiences
 * stay under the account's cap of 100 DMs a day.
 */
interface Arrival {
  count: number;
  perDecision: number;
  decisionLimit?: number;
}

describe('campaign workflow: results go out while entries keep arriving', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  async function streamScenario(arrival: Arrival, prefix: string) {
    const people = participants(FIRST_ENTRANTS + arrival.count, prefix);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date(await env.currentTimeMs());
    const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, now, {
      winners: 1,
    }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
    const startAt = new Date(now.getTime() + 2_000);
    const endAt = new Date(startAt.getTime() + 3_600_000);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: people.slice(0, FIRST_ENTRANTS),
      config: {
        ...drawn,
        kind: 'instant_win',
        schedule: {
          startAt: startAt.toISOString(),
          endAt: endAt.toISOString(),
          timezone: 'Asia/Tokyo',
        },
        pacing: { minGapSeconds: 0, jitterSeconds: 0 },
        prizes: [{ id: 'gift', name: 'ギフト券', stock: 3_000, valueYen: 500, odds: 1 }],
        templates: {
          win: { dm: '{name}さん、当選です！{prize}をお送りします。{resultUrl}' },
          lose: { dm: '{name}さん、今回は残念でした。{resultUrl}' },
        },
      },
    });
    const workflowId = campaignWorkflowId(campaign.id);
    let waiting = people.slice(FIRST_ENTRANTS);
    /** DMs X had accepted when the stream's last entry arrived. */
    let sentWhileStreaming: number | undefined;

    /** One keyword DM, stored as the webhook stores it, then the nudge. */
    async function arrive(): Promise<void> {
      const [person] = waiting;
      if (!person) return;
      waiting = waiting.slice(1);
      await insertEntryEvents(testDb.db, [
        {
          campaignId: campaign.id,
          xEventId: `dm-${campaign.id}-${person.id}`,
          source: 'dm_keyword' as const,
          xUserId: person.id,
          username: person.username,
          text: '参加します',
          receivedVia: 'webhook' as const,
          occurredAt: new Date(await env.currentTimeMs()),
        },
      ]);
      await env.client.workflow.getHandle(workflowId).signal(entriesArrivedSignal);
      if (waiting.length === 0) sentWhileStreaming = emulator.sent().dms.length;
    }

    const activities = testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: 'http://kuji.test',
    });
    const decide = activities.processEntries;
    const taskQueue = `sends-amid-arrivals-${prefix}`;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: {
        ...activities,
        processEntries: async (input) => {
          const decided = await decide({
            ...input,
            limit: Math.min(input.limit, arrival.decisionLimit ?? input.limit),
          });
          // Entries arrive faster than they are decided: more land during every decision.
          for (let i = 0; i < arrival.perDecision; i += 1) await arrive();
          return decided;
        },
      },
      workflowBundle: await workflowBundle(),
    });

    await runScenario(
      worker,
      { deadlineMs: 240_000, handles: () => [env.client.workflow.getHandle(workflowId)], env },
      async () => {
        const handle = await env.client.workflow.start(campaignV2, {
          workflowId,
          taskQueue,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        });
        for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
          if (i >= 3000) throw new Error(`${workflowId} never reached awaiting_approval`);
          await env.sleep('100 milliseconds');
        }
        await handle.signal(approveSignal, { by: 'bob' });
        for (let i = 0; emulator.sent().dms.length < people.length; i += 1) {
          if (i >= 600) throw new Error(`only ${emulator.sent().dms.length} results were sent`);
          // Workflow time moves a second at a time: the stream stays well inside the period.
          await env.sleep('1 second');
        }
        await handle.cancel();
      },
    );

    assert.equal(waiting.length, 0, 'the whole stream arrived');
    assert.ok(
      (sentWhileStreaming ?? 0) > 0,
      `results went out while entries kept arriving (${sentWhileStreaming ?? 0} of ${people.length} before the last arrived)`,
    );
    const verdict = judgeExactlyOnce(
      emulator.sent().dms,
      emulator.sent().dms[0]?.senderId ?? '',
      people.map((p) => p.id),
    );
    assert.deepEqual(
      { missing: verdict.missing, duplicated: verdict.duplicated, unexpected: verdict.unexpected },
      { missing: [], duplicated: [], unexpected: [] },
    );
  }

  it('sends results between decisions when an entry lands during each decision', () =>
    streamScenario({ count: 30, perDecision: 1 }, 'each_'));

  it('sends results while entries arrive faster than they are decided', () =>
    streamScenario({ count: 60, perDecision: 2, decisionLimit: 1 }, 'burst_'));
});
