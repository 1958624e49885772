import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import {
  countUnprocessedEvents,
  entryFunnel,
  findEntry,
  insertEntryEvents,
} from '../../db/repositories/entries';
import { reconcileFunnel } from '../../domain/reconciliation';
import { applyAction, DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
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
import { emulatorClock, runActivity } from '../x/support';

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
      x: createXAccess({
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
  it('stops before X refuses a lookup: the participants looked up are decided, the rest wait for the next batch', async () => {
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

    assert.equal(run.error, undefined);
    const lookups = emulator.requestLog.filter((r) => r.path === '/2/users');
    assert.deepEqual(
      lookups.map((r) => r.status),
      [200, 200],
      'the third batch waits for the reset instead of being refused',
    );
    assert.equal(run.result?.processed, 200, 'the 200 looked up are decided');
    assert.equal(run.result?.remaining, 50);
    assert.ok(run.result?.xWindowResetAt, 'the workflow learns when X lets the rest through');
    assert.equal(await countUnprocessedEvents(testDb.db, campaign.id), 50, 'nothing is lost');
    assert.equal(Object.keys(await entriesOf(campaign.id)).length, 200);
  });

  it('reads follows outside the batch, storing each: a spent following window decides who was read and leaves the rest for later', async () => {
    const people = participants(5, 'follower');
    const scenario = worldScenario(people);
    // Every other participant follows the sender.
    scenario.follows = people
      .filter((_, i) => i % 2 === 0)
      .map((p): [string, string] => [p.username, DEMO_SENDER_USERNAME]);
    scenario.rateLimits = {
      ...scenario.rateLimits,
      'users.following': { limit: 3, windowSeconds: 900 },
    };
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 3 });
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: {
        ...base,
        entryRules: { all: [{ type: 'dm_keyword', keyword: '参加' }, { type: 'follow' }] },
      },
    });
    // X's time is the emulator's, and a spent window is never waited out inside the call.
    const clock = emulatorClock(emulator);
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        clock,
        maxInlineRateLimitWaitMs: 0,
      }),
      publicBaseUrl: 'http://kuji.test',
      now: () => new Date(clock.now()),
    });
    await activities.prepareCampaign({ campaignId: campaign.id });
    const followingReads = () =>
      emulator.requestLog.filter((r) => r.path.endsWith('/following')).map((r) => r.status);
    const batch = () =>
      runActivity(() =>
        activities.processEntries({
          campaignId: campaign.id,
          now: new Date(clock.now()).toISOString(),
          limit: 500,
        }),
      );
    const [p0, p1, p2, p3, p4] = people;
    assert.ok(p0 && p1 && p2 && p3 && p4);

    try {
      const first = await batch();
      assert.equal(first.error, undefined, String(first.error));
      assert.deepEqual(followingReads(), [200, 200, 200], 'never refused by X');
      assert.equal(first.result?.processed, 3);
      assert.equal(first.result?.remaining, 2, 'the workflow comes back for the rest');
      assert.ok(first.result?.xWindowResetAt);
      assert.ok(
        first.heartbeats.some((h) => (h as { step?: string }).step === 'follows'),
        'a heartbeat after each participant read',
      );
      assert.deepEqual(await entriesOf(campaign.id), {
        [p0.username]: { eligible: true, codes: [] },
        [p1.username]: { eligible: false, codes: ['follow_missing'] },
        [p2.username]: { eligible: true, codes: [] },
      });
      const stored = await testDb.db
        .selectFrom('participant_facts')
        .select(['x_user_id', 'follows'])
        .where('campaign_id', '=', campaign.id)
        .where('follows_checked_at', 'is not', null)
        .orderBy('x_user_id')
        .execute();
      assert.deepEqual(
        stored.map((row) => [row.x_user_id, row.follows?.followsSender]),
        [
          [p0.id, true],
          [p1.id, false],
          [p2.id, true],
        ],
      );

      // While the window is spent, X is not called and nothing is decided on half the facts.
      const second = await batch();
      assert.equal(second.error, undefined, String(second.error));
      assert.equal(second.result?.processed, 0);
      assert.equal(second.result?.remaining, 2);
      assert.equal(followingReads().length, 3);

      emulator.clock.advance(901_000);
      const third = await batch();
      assert.equal(third.error, undefined, String(third.error));
      assert.equal(third.result?.processed, 2);
      assert.equal(third.result?.remaining, 0);
      assert.equal(third.result?.xWindowResetAt, undefined);
      assert.deepEqual(followingReads(), [200, 200, 200, 200, 200], 'each participant read once');
      const all = await entriesOf(campaign.id);
      assert.deepEqual(all[p3.username], { eligible: false, codes: ['follow_missing'] });
      assert.deepEqual(all[p4.username], { eligible: true, codes: [] });
    } finally {
      emulator.clock.set(Date.now());
    }
  });

  it('halts the account, and decides nothing, when X refuses the sender while facts are read', async () => {
    const people = participants(3, 'revoked');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 1 }),
    });
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });
    // The brand removed the app on X: every token of the sender is dead.
    applyAction(emulator, { type: 'revoke', user: DEMO_SENDER_USERNAME });

    const run = await runActivity(() =>
      activities.processEntries({
        campaignId: campaign.id,
        now: new Date().toISOString(),
        limit: 500,
      }),
    );
    assert.equal(run.error, undefined, `the batch failed: ${String(run.error)}`);
    const batch = run.result as Awaited<ReturnType<typeof activities.processEntries>>;
    assert.equal(batch.halted?.category, 'auth');
    assert.equal(batch.processed, 0);
    assert.equal(await countUnprocessedEvents(testDb.db, campaign.id), 3, 'the entries wait');
    const account = await testDb.db
      .selectFrom('accounts')
      .select(['halt', 'status'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    assert.equal((account.halt as { category?: string } | null)?.category, 'auth');
    assert.equal(account.status, 'disconnected');
  });

  it('decides an entry that became eligible after the draw as after_draw, never held as pending', async () => {
    const people = participants(6, 'late');
    const latecomer = people[5];
    assert.ok(latecomer);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: people.slice(0, 5),
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 2 }),
    });
    const activities = runtime();
    await activities.prepareCampaign({ campaignId: campaign.id });
    const process = () =>
      activities.processEntries({
        campaignId: campaign.id,
        now: new Date().toISOString(),
        limit: 500,
      });
    await process();
    await activities.drawCampaign({ campaignId: campaign.id });

    await insertEntryEvents(testDb.db, [keywordDm(campaign.id, latecomer, 1)]);
    const late = await process();

    assert.equal(late.processed, 1);
    assert.equal(late.newlyEligible, 0);
    const entry = await findEntry(testDb.db, campaign.id, latecomer.id);
    assert.equal(entry?.outcome, 'ineligible');
    assert.deepEqual(entry?.reasons, [
      {
        code: 'after_draw',
        ja: '抽選後に届いた応募です。',
        en: 'The entry arrived after the draw.',
      },
    ]);
    const reconciliation = reconcileFunnel(await entryFunnel(testDb.db, campaign.id));
    assert.equal(reconciliation.held, 0, 'nobody waits for a draw that already happened');
    assert.equal(reconciliation.ineligible, 1);
    assert.equal(reconciliation.reconciled, true);
  });
});
