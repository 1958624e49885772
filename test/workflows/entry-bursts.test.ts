/**
 * Nothing a participant sends is lost: entries arrive in bursts at random moments while an
 * instant win sends its results (as X's webhook stores them and nudges the workflow), some
 * after the entry period. Every participant ends with exactly one decided outcome, every one who
 * entered in time gets exactly one result DM, and every event is processed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { insertEntryEvents } from '../../db/repositories/entries';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { seededRandom } from '../../domain/seeded-random';
import { campaignV2 } from '../../workflows';
import { approveSignal, entriesArrivedSignal, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
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

const SCENARIO_DEADLINE_MS = 300_000;
const SEEDS = [11, 23, 37, 41];
const PEOPLE_PER_SEED = 36;
const FIRST_ENTRANTS = 6;

describe('campaign workflow: entries in bursts while results are sent', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  const totals = { entered: 0, inPeriod: 0, late: 0, decided: 0, answered: 0 };

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    console.log(
      `[entry-bursts] over ${SEEDS.length} seeds: ${totals.entered} participants entered (${totals.inPeriod} in the period, ${totals.late} after it), ${totals.decided} decided, ${totals.answered} answered`,
    );
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  for (const seed of SEEDS) {
    it(`decides and answers every participant exactly once (seed ${seed})`, async () => {
      const next = seededRandom(seed);
      const people = participants(PEOPLE_PER_SEED, `burst${seed}_`);
      await emulator.loadScenario(worldScenario(people));
      const accountId = await seedLinkedAccount(testDb.db);
      const now = new Date(await env.currentTimeMs());
      const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, now, {
        winners: 1,
      }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
      const startAt = new Date(now.getTime() + 60_000);
      const endAt = new Date(startAt.getTime() + 25_000);
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
          pacing: { minGapSeconds: 1, jitterSeconds: 2 },
          // Enough stock that it never runs out: no person is needed to go on.
          prizes: [{ id: 'gift', name: 'ギフト券', stock: 100, valueYen: 500, odds: 0.3 }],
          templates: {
            win: { dm: '{name}さん、当選です！{prize}をお送りします。{resultUrl}' },
            lose: { dm: '{name}さん、今回は残念でした。{resultUrl}' },
          },
        },
      });
      const workflowId = campaignWorkflowId(campaign.id);
      let waiting = people.slice(FIRST_ENTRANTS);
      /** When each participant's DM reached X (the time the webhook dates it with). */
      const enteredAt = new Map<string, number>(
        people.slice(0, FIRST_ENTRANTS).map((p) => [p.id, startAt.getTime()]),
      );

      /** A burst of keyword DMs, stored as the webhook stores them, then the nudge. */
      async function burst(size: number): Promise<void> {
        const entrants = waiting.slice(0, size);
        waiting = waiting.slice(size);
        if (entrants.length === 0) return;
        const at = await env.currentTimeMs();
        await insertEntryEvents(
          testDb.db,
          entrants.map((p: Participant) => ({
            campaignId: campaign.id,
            xEventId: `dm-${campaign.id}-${p.id}`,
            source: 'dm_keyword' as const,
            xUserId: p.id,
            username: p.username,
            text: '参加します',
            receivedVia: 'webhook' as const,
            occurredAt: new Date(at),
          })),
        );
        for (const p of entrants) enteredAt.set(p.id, at);
        await env.client.workflow.getHandle(workflowId).signal(entriesArrivedSignal);
      }

      const taskQueue = `entry-bursts-${seed}`;
      const worker = await testWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities: testActivities({
          db: testDb.db,
          credentialsKey: testCredentialsKey,
          xApiBaseUrl: emulator.url,
          publicBaseUrl: 'http://kuji.test',
          x: { requestTimeoutMs: 150 },
          interposeX: (x) => ({
            ...x,
            // While a result is on its way to X, more participants enter, at random moments.
            xSendDm: async (input) => {
              const roll = next();
              if (roll < 0.3) await burst(1 + Math.floor(next() * 4));
              const sent = await x.xSendDm(input);
              if (next() < 0.2) await burst(1 + Math.floor(next() * 3));
              return sent;
            },
          }),
        }),
        workflowBundle: await workflowBundle(),
      });

      const result = await runScenario(
        worker,
        {
          deadlineMs: SCENARIO_DEADLINE_MS,
          handles: () => [env.client.workflow.getHandle(workflowId)],
          env,
        },
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
          return handle.result();
        },
      );
      assert.equal(result.outcome, 'completed');

      const entered = [...enteredAt.keys()];
      const lateIds = new Set(entered.filter((id) => (enteredAt.get(id) ?? 0) > endAt.getTime()));
      const unprocessed = await testDb.db
        .selectFrom('entry_events')
        .select('x_user_id')
        .where('campaign_id', '=', campaign.id)
        .where('processed_at', 'is', null)
        .execute();
      assert.deepEqual(unprocessed, [], 'every stored event was processed');

      const entries = await testDb.db
        .selectFrom('entries')
        .select(['x_user_id', 'eligible', 'outcome', 'reasons'])
        .where('campaign_id', '=', campaign.id)
        .execute();
      const byUser = new Map(entries.map((e) => [e.x_user_id, e]));
      const dms = emulator.sent().dms.filter((dm) => enteredAt.has(dm.recipientId));
      const dmCount = (id: string) => dms.filter((dm) => dm.recipientId === id).length;
      const wrong: string[] = [];
      for (const id of entered) {
        const entry = byUser.get(id);
        const when = new Date(enteredAt.get(id) ?? 0).toISOString();
        if (!entry) {
          wrong.push(`${id} (entered ${when}) has no entry`);
          continue;
        }
        if (lateIds.has(id)) {
          if (entry.eligible !== false || entry.outcome !== 'ineligible') {
            wrong.push(`${id} entered late (${when}) but is ${entry.eligible}/${entry.outcome}`);
          }
          if (!JSON.stringify(entry.reasons).includes('outside_entry_period')) {
            wrong.push(`${id} entered late without the reason: ${JSON.stringify(entry.reasons)}`);
          }
          if (dmCount(id) !== 0) wrong.push(`${id} entered late and got ${dmCount(id)} DMs`);
          continue;
        }
        if (!entry.eligible || !['won', 'lost'].includes(entry.outcome)) {
          wrong.push(`${id} (entered ${when}) is ${entry.eligible}/${entry.outcome}`);
        }
        if (dmCount(id) !== 1) wrong.push(`${id} (entered ${when}) got ${dmCount(id)} DMs`);
      }
      assert.deepEqual(wrong, [], `end of the period: ${endAt.toISOString()}`);
      assert.ok(entered.length > FIRST_ENTRANTS, 'bursts arrived while results were sent');

      totals.entered += entered.length;
      totals.late += lateIds.size;
      totals.inPeriod += entered.length - lateIds.size;
      totals.decided += entries.filter((e) =>
        e.eligible ? ['won', 'lost'].includes(e.outcome) : true,
      ).length;
      totals.answered += new Set(dms.map((dm) => dm.recipientId)).size;
    });
  }
});
