import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createCampaignRuntimeActivities } from '../../activities/campaign-runtime';
import { createXActivities } from '../../activities/x-activities';
import { countUnprocessedEvents, insertEntryEvents } from '../../db/repositories/entries';
import { startXEmulator, type XEmulator } from '../../x/emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { runActivity } from '../x/support';

describe('processEntries activity', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  const runtime = () =>
    createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });

  const keywordDm = (campaignId: string, person: Participant, n: number, occurredAt?: Date) => ({
    campaignId,
    xEventId: `dm-${person.id}-${n}`,
    source: 'dm_keyword' as const,
    xUserId: person.id,
    username: person.username,
    text: '参加します',
    receivedVia: 'webhook' as const,
    occurredAt: occurredAt ?? null,
  });

  async function entriesOf(campaignId: string) {
    const rows = await testDb.db
      .selectFrom('entries')
      .select(['x_user_id', 'username', 'eligible', 'reasons'])
      .where('campaign_id', '=', campaignId)
      .orderBy('x_user_id')
      .execute();
    return Object.fromEntries<{ eligible: boolean | null; codes: string[] }>(
      rows.map((row) => [
        row.username ?? row.x_user_id,
        { eligible: row.eligible, codes: row.reasons.map((r) => r.code) },
      ]),
    );
  }

  it('decides every event: one dated outside the entry period is recorded as such, not dropped', async () => {
    const people = participants(5, 'deadline');
    const [inTime, atTheEnd, late, early, inAndLate] = people;
    assert.ok(inTime && atTheEnd && late && early && inAndLate);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const config = dmKeywordDrawConfig(accountId, new Date(), { winners: 3 });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    const startAtMs = Date.parse(config.schedule.startAt);
    const endAtMs = Date.parse(config.schedule.endAt);
    // Taken in late (a replayed gap kept collection open), each dated by X.
    await insertEntryEvents(testDb.db, [
      keywordDm(campaign.id, inTime, 1, new Date(endAtMs - 60_000)),
      keywordDm(campaign.id, atTheEnd, 1, new Date(endAtMs)),
      keywordDm(campaign.id, late, 1, new Date(endAtMs + 1_000)),
      keywordDm(campaign.id, early, 1, new Date(startAtMs - 1_000)),
      keywordDm(campaign.id, inAndLate, 1, new Date(startAtMs)),
      keywordDm(campaign.id, inAndLate, 2, new Date(endAtMs + 60_000)),
    ]);
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });

    const batch = await activities.processEntries({
      campaignId: campaign.id,
      now: new Date(endAtMs + 60_000).toISOString(),
      limit: 500,
    });

    assert.equal(batch.processed, 6, 'every event is consumed');
    assert.equal(await countUnprocessedEvents(testDb.db, campaign.id), 0);
    assert.equal(batch.newlyEligible, 3);
    assert.deepEqual(await entriesOf(campaign.id), {
      [inTime.username]: { eligible: true, codes: [] },
      [atTheEnd.username]: { eligible: true, codes: [] },
      [late.username]: { eligible: false, codes: ['outside_entry_period'] },
      [early.username]: { eligible: false, codes: ['outside_entry_period'] },
      [inAndLate.username]: { eligible: true, codes: [] },
    });
  });

  it('looks entrants up on X 100 at a time, once each, and excludes protected and suspended ones', async () => {
    const people = participants(250, 'crowd');
    const scenario = worldScenario(people);
    const locked = people[10];
    const frozen = [people[120], people[249]];
    assert.ok(locked && frozen[0] && frozen[1]);
    scenario.users = scenario.users?.map((user) =>
      user.username === locked.username
        ? { ...user, protected: true }
        : frozen.some((p) => p?.username === user.username)
          ? { ...user, suspended: true }
          : user,
    );
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 3 }),
    });
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });
    const lookups = () => emulator.requestLog.filter((r) => r.path === '/2/users').length;

    // In an activity's context, as the worker runs it: X's answers are logged through it.
    const first = await runActivity(() =>
      activities.processEntries({
        campaignId: campaign.id,
        now: new Date().toISOString(),
        limit: 500,
      }),
    );
    assert.equal(first.error, undefined);
    assert.equal(lookups(), 3, '250 entrants in 3 calls of at most 100');
    const byName = await entriesOf(campaign.id);
    assert.deepEqual(byName[locked.username], { eligible: false, codes: ['protected_account'] });
    for (const person of frozen) {
      assert.deepEqual(byName[person?.username ?? ''], {
        eligible: false,
        codes: ['suspended_account'],
      });
    }
    assert.equal(Object.values(byName).filter((entry) => entry.eligible).length, 247);

    // The same people again (another DM each): what X said is kept, not asked again.
    await insertEntryEvents(
      testDb.db,
      people.map((person) => keywordDm(campaign.id, person, 2)),
    );
    const again = await runActivity(() =>
      activities.processEntries({
        campaignId: campaign.id,
        now: new Date().toISOString(),
        limit: 500,
      }),
    );
    assert.equal(again.result?.processed, 250);
    assert.equal(lookups(), 3);
  });
  it('stops before X refuses a lookup: a spent window sends the batch back until its reset', async () => {
    const people = participants(250, 'budget');
    const scenario = worldScenario(people);
    scenario.rateLimits = {
      ...scenario.rateLimits,
      'users.lookup': { limit: 2, windowSeconds: 900 },
    };
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 3 }),
    });
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });

    const run = await runActivity(() =>
      activities.processEntries({
        campaignId: campaign.id,
        now: new Date().toISOString(),
        limit: 500,
      }),
    );

    assert.ok(run.error instanceof ApplicationFailure, String(run.error));
    assert.equal(run.error.type, 'rate_limited');
    assert.ok(Number(run.error.nextRetryDelay) > 0, 'retried at the reset');
    const lookups = emulator.requestLog.filter((r) => r.path === '/2/users');
    assert.deepEqual(
      lookups.map((r) => r.status),
      [200, 200],
      'the third batch waits for the reset instead of being refused',
    );
    assert.equal(await countUnprocessedEvents(testDb.db, campaign.id), 250, 'nothing is lost');
  });
});
