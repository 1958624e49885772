/**
 * watchEntries without a webhook (polling alone): a DM keyword campaign's entries arrive only as
 * DMs to the sender, which no list of X's carries. Polling reads the sender's DM events
 * (GET /2/dm_events) for DMs holding the campaign's keyword, keyed by X's DM event id as the
 * webhook keys them, so the two never store one DM twice.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadRunningCampaign } from '../../activities/campaign/campaign-loader';
import {
  createWatchEntriesActivity,
  type WatchOutcome,
} from '../../activities/entries/watch-entries';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { findCampaignWatch } from '../../db/repositories/campaign-watch';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { silentLogger } from '../support/silent-logger';

const MINUTE = 60_000;
describe('watchEntries activity, DM keyword without a webhook', () => {
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

  async function collectingDmCampaign(
    prefix: string,
    count: number,
    rules: CampaignConfigInput['entryRules']['all'] = [{ type: 'dm_keyword', keyword: '参加' }],
  ) {
    const people = participants(count, prefix);
    const scenario = worldScenario(people);
    // Everyone follows the sender: the followers list gives an entry wherever a rule asks for one.
    scenario.follows = people.map((p) => [p.username, DEMO_SENDER_USERNAME] as [string, string]);
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const now = Date.now();
    const config = dmKeywordDrawConfig(accountId, new Date(now), {
      winners: 1,
      overrides: {
        entryRules: { all: rules },
        schedule: {
          startAt: new Date(now - MINUTE).toISOString(),
          endAt: new Date(now + 180 * MINUTE).toISOString(),
          timezone: 'Asia/Tokyo',
        },
      },
    });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    return { campaignId: campaign.id, people };
  }

  const xAccess = () =>
    createXAccess({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      requestTimeoutMs: 2_000,
    });

  const activity = (webhookUrl?: string) =>
    createWatchEntriesActivity({
      ...(webhookUrl ? { webhookUrl } : {}),
      db: testDb.db,
      x: xAccess(),
      loadConfig: (campaignId) => loadRunningCampaign(testDb.db, campaignId),
    });

  /** One attempt scheduled `atMs` on the server's clock, which time skipping puts ahead of X's. */
  async function attempt(
    watch: ReturnType<typeof activity>,
    campaignId: string,
    atMs: number,
  ): Promise<{ result?: WatchOutcome; error?: unknown }> {
    const environment = new MockActivityEnvironment(
      { scheduledTimestampMs: atMs, currentAttemptScheduledTimestampMs: atMs },
      { logger: silentLogger },
    );
    const input = { campaignId, watchArmed: false, armedCheckIntervalMs: 10 * MINUTE };
    try {
      return { result: await environment.run(() => watch.watchEntries(input)) };
    } catch (error) {
      return { error };
    }
  }

  const dmEvents = (campaignId: string) =>
    testDb.db
      .selectFrom('entry_events')
      .select(['source', 'x_event_id', 'x_user_id', 'text', 'occurred_at', 'received_via'])
      .where('campaign_id', '=', campaignId)
      .orderBy('x_event_id')
      .execute();

  it('stores the keyword DMs participants sent the sender, dated by X, and only those', async () => {
    const { campaignId, people } = await collectingDmCampaign('dmpoll', 4);
    const sent = people.map((person) =>
      emulator.state.createDm({ from: person.username, to: DEMO_SENDER_USERNAME, text: '参加' }),
    );
    // Not entries: a DM without the keyword, and the sender's own DM holding it.
    emulator.state.createDm({
      from: people[0]!.username,
      to: DEMO_SENDER_USERNAME,
      text: 'こんにちは',
    });
    emulator.state.createDm({
      from: DEMO_SENDER_USERNAME,
      to: people[1]!.username,
      text: '参加ありがとう',
    });

    // Dated hours ahead of X's clock, as the time-skipping server dates its attempts.
    const run = await attempt(activity(), campaignId, Date.now() + 3 * 60 * MINUTE);
    assert.equal(run.error, undefined, String(run.error));
    assert.deepEqual(run.result, { kind: 'entries', undecided: 4 });

    const stored = await dmEvents(campaignId);
    assert.deepEqual(
      stored.map((e) => ({ ...e, occurred_at: e.occurred_at?.getTime() })),
      sent
        .map((dm) => ({
          source: 'dm_keyword',
          x_event_id: dm.id,
          x_user_id: dm.senderId,
          text: '参加',
          occurred_at: dm.createdAtMs,
          received_via: 'poll',
        }))
        .sort((a, b) => a.x_event_id.localeCompare(b.x_event_id)),
    );
  });

  it('reads on from the newest DM it stored, and never stores one DM twice', async () => {
    const { campaignId, people } = await collectingDmCampaign('dmcursor', 2);
    const watch = activity();
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const t0 = Date.now();
    assert.deepEqual((await attempt(watch, campaignId, t0)).result, {
      kind: 'entries',
      undecided: 1,
    });
    await testDb.db.updateTable('entry_events').set({ processed_at: new Date() }).execute();

    const second = await attempt(watch, campaignId, t0 + MINUTE);
    assert.ok(second.error instanceof ApplicationFailure, String(second.error));
    assert.equal(second.error.type, 'nothing_new_yet');

    emulator.state.createDm({
      from: people[1]!.username,
      to: DEMO_SENDER_USERNAME,
      text: '私も参加します',
    });
    const third = await attempt(watch, campaignId, t0 + 2 * MINUTE);
    assert.deepEqual(third.result, { kind: 'entries', undecided: 1 });
    assert.equal((await dmEvents(campaignId)).length, 2);
  });

  it('leaves DMs to the webhook when one delivers them', async () => {
    const { campaignId, people } = await collectingDmCampaign('dmhook', 1);
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const dmReads = () => emulator.requests({ endpoint: 'dm.events.all' }).length;
    const before = dmReads();
    const run = await attempt(
      activity('https://kuji.example/v1/webhooks/x'),
      campaignId,
      Date.now(),
    );
    assert.ok(run.error instanceof ApplicationFailure, String(run.error));
    assert.equal(run.error.type, 'nothing_new_yet');
    assert.equal(dmReads(), before, 'X was not asked for DM events');
  });

  it('stores what the lists gave when the DM read fails, and reads the DMs at the next poll', async () => {
    const { campaignId, people } = await collectingDmCampaign('dmdown', 1, [
      { type: 'follow' },
      { type: 'dm_keyword', keyword: '参加' },
    ]);
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    emulator.injectFault({ endpoint: 'dm.events.all', fault: 'service_unavailable', count: 1 });
    const watch = activity();
    const t0 = Date.now();
    const first = await attempt(watch, campaignId, t0);
    const sources = async () =>
      (await dmEvents(campaignId)).map((e) => e.source).sort((a, b) => a.localeCompare(b));
    assert.ok(first.result?.kind === 'entries', String(first.error));
    assert.ok(!(await sources()).includes('dm_keyword'), 'the DM read failed');
    assert.ok((await sources()).includes('follow'), 'the followers list is stored all the same');

    await attempt(watch, campaignId, t0 + MINUTE);
    assert.ok((await sources()).includes('dm_keyword'));
  });

  it("skips DM reads while X's window for them is spent, instead of waiting for it inside the watch", async () => {
    const { campaignId, people } = await collectingDmCampaign('dmwindow', 2);
    emulator.configureRateLimits({ 'dm.events.all': { limit: 1, windowSeconds: 2 } });
    const dmReads = () => emulator.requests({ endpoint: 'dm.events.all' }).length;
    const watch = activity();
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const t0 = Date.now();
    assert.deepEqual((await attempt(watch, campaignId, t0)).result, {
      kind: 'entries',
      undecided: 1,
    });
    await testDb.db.updateTable('entry_events').set({ processed_at: new Date() }).execute();

    // The window's one read is spent: the next poll asks X for the lists only, at once.
    emulator.state.createDm({ from: people[1]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const before = dmReads();
    const started = Date.now();
    const skipped = await attempt(watch, campaignId, t0 + MINUTE);
    assert.ok(skipped.error instanceof ApplicationFailure, String(skipped.error));
    assert.equal(skipped.error.type, 'nothing_new_yet');
    assert.equal(dmReads(), before, 'X was not asked while the window is spent');
    assert.ok(Date.now() - started < 1_500, 'the watch did not wait for the window');

    // After X's reset (its clock: the wall clock) and a second's margin, the next poll reads the
    // DM (X's reset is dated in whole seconds: a read right at it may still be refused).
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    const after = await attempt(watch, campaignId, t0 + 2 * MINUTE);
    assert.deepEqual(after.result, { kind: 'entries', undecided: 1 });
  });

  it("the legacy workflow's pollEntries never reads DMs (only campaignV2's watch does)", async () => {
    const { campaignId, people } = await collectingDmCampaign('dmlegacy', 1);
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const dmReads = () => emulator.requests({ endpoint: 'dm.events.all' }).length;
    const before = dmReads();
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: xAccess(),
      publicBaseUrl: 'https://kuji.example',
    });
    const environment = new MockActivityEnvironment(undefined, { logger: silentLogger });
    const polled = await environment.run(() => activities.pollEntries({ campaignId, cursors: {} }));
    assert.deepEqual(polled, { newEvents: 0, cursors: {} });
    assert.equal(dmReads(), before, 'X was not asked for DM events');
  });

  it("a failed DM read keeps the DM cursor but advances the other lists' cursors", async () => {
    const { campaignId, people } = await collectingDmCampaign('dmreply', 2, [
      { type: 'reply', keywords: ['参加'] },
      { type: 'dm_keyword', keyword: '参加' },
    ]);
    const { config } = await loadRunningCampaign(testDb.db, campaignId);
    const reply = emulator.state.createPost({
      author: people[0]!.username,
      text: '参加します',
      replyTo: config.post.tweetId,
    });
    emulator.state.createDm({ from: people[1]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    const watch = activity();
    const t0 = Date.now();
    const first = await attempt(watch, campaignId, t0);
    assert.ok(first.result?.kind === 'entries', String(first.error));
    const dmNewestId = (await findCampaignWatch(testDb.db, campaignId))?.cursors.dmNewestId;
    assert.ok(dmNewestId);

    emulator.injectFault({ endpoint: 'dm.events.all', fault: 'service_unavailable', count: 1 });
    const later = emulator.state.createPost({
      author: people[1]!.username,
      text: '私も参加',
      replyTo: config.post.tweetId,
    });
    await attempt(watch, campaignId, t0 + MINUTE);
    const cursors = (await findCampaignWatch(testDb.db, campaignId))?.cursors;
    assert.equal(cursors?.repliesSinceId, later.id, 'the replies cursor moved on');
    assert.notEqual(later.id, reply.id);
    assert.equal(cursors?.dmNewestId, dmNewestId, 'the DM cursor stayed');
  });

  it('a 429 on the DM read is not waited out inside the watch: the lists are answered at once', async () => {
    const { campaignId, people } = await collectingDmCampaign('dm429', 1);
    emulator.configureRateLimits({ 'dm.events.all': { limit: 15, windowSeconds: 2 } });
    emulator.state.createDm({ from: people[0]!.username, to: DEMO_SENDER_USERNAME, text: '参加' });
    emulator.injectFault({ endpoint: 'dm.events.all', fault: 'rate_limited', count: 1 });
    const watch = activity();
    const t0 = Date.now();
    const started = Date.now();
    const limited = await attempt(watch, campaignId, t0);
    assert.ok(Date.now() - started < 1_500, 'the watch did not wait for the window');
    assert.ok(limited.error instanceof ApplicationFailure, String(limited.error));
    assert.equal(limited.error.type, 'nothing_new_yet');

    // Past the reset (whole seconds) and its second's margin, the DM is read.
    await new Promise((resolve) => setTimeout(resolve, 4_200));
    const after = await attempt(watch, campaignId, t0 + MINUTE);
    assert.deepEqual(after.result, { kind: 'entries', undecided: 1 });
  });

  it('routes a polled keyword DM as the webhook does: to one campaign of the account only', async () => {
    const older = await collectingDmCampaign('dmroute', 1);
    const { account, config } = await loadRunningCampaign(testDb.db, older.campaignId);
    // A newer campaign of the same account, same keyword, same period.
    const newer = await seedCampaignWithEntries(testDb.db, {
      accountId: account.id,
      people: [],
      config: { ...config, name: 'newer' },
    });
    await updateCampaignPhase(testDb.db, newer.id, 'collecting');
    emulator.state.createDm({
      from: older.people[0]!.username,
      to: DEMO_SENDER_USERNAME,
      text: '参加',
    });
    const t0 = Date.now();
    const newerRun = await attempt(activity(), newer.id, t0);
    assert.ok(newerRun.error instanceof ApplicationFailure, String(newerRun.error));
    assert.equal(newerRun.error.type, 'nothing_new_yet', 'the newer campaign takes no entry');
    const olderRun = await attempt(activity(), older.campaignId, t0);
    assert.deepEqual(olderRun.result, { kind: 'entries', undecided: 1 });
  });
});
