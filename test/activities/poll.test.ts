/**
 * pollEntries: the polling reconciliation reads a campaign's engagements from X (the emulator)
 * into entry events: reposts, likes, follows and quotes in full, replies from the last one seen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import {
  DEMO_CAMPAIGN_POST_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { runActivity } from '../x/support';

describe('pollEntries activity', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  it('stores each engagement once, dates posts by X, and reads replies from its cursor on', async () => {
    const people = participants(4, 'polled');
    const [fan, quoter, liker, replier] = people;
    assert.ok(fan && quoter && liker && replier);
    const scenario = worldScenario(people);
    const postedAt = new Date(Date.now() - 60_000).toISOString();
    scenario.posts = [
      ...(scenario.posts ?? []),
      {
        author: fan.username,
        text: '当たれ #くじ',
        replyTo: DEMO_CAMPAIGN_POST_ID,
        createdAt: postedAt,
      },
      {
        author: quoter.username,
        text: 'みんなも #くじ',
        quoteOf: DEMO_CAMPAIGN_POST_ID,
        createdAt: postedAt,
      },
    ];
    scenario.reposts = [{ user: fan.username, post: DEMO_CAMPAIGN_POST_ID }];
    scenario.likes = [{ user: liker.username, post: DEMO_CAMPAIGN_POST_ID }];
    scenario.follows = [[fan.username, DEMO_SENDER_USERNAME]];
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 1 });
    const config: CampaignConfigInput = {
      ...base,
      entryRules: {
        all: [
          { type: 'repost' },
          { type: 'like' },
          { type: 'follow' },
          { type: 'quote' },
          { type: 'reply', hashtags: ['#くじ'] },
        ],
      },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    const poll = async (cursors: { repliesSinceId?: string }) => {
      const run = await runActivity(() =>
        runtime.pollEntries({ campaignId: campaign.id, cursors }),
      );
      assert.equal(run.error, undefined);
      assert.ok(run.result);
      return run.result;
    };

    const first = await poll({});
    const events = await testDb.db
      .selectFrom('entry_events')
      .select(['source', 'x_user_id', 'occurred_at', 'received_via'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('source')
      .execute();
    assert.equal(first.newEvents, 5);
    assert.deepEqual(
      events.map((e) => [e.source, e.x_user_id, e.occurred_at?.toISOString() ?? null]),
      [
        ['follow', fan.id, null],
        ['like', liker.id, null],
        ['quote', quoter.id, postedAt],
        ['reply', fan.id, postedAt],
        ['repost', fan.id, null],
      ],
    );
    assert.ok(events.every((e) => e.received_via === 'poll'));
    assert.ok(first.cursors.repliesSinceId, 'the newest reply is the next since_id');

    // Nothing new: the same engagements are not stored twice.
    const second = await poll(first.cursors);
    assert.equal(second.newEvents, 0);

    emulator.state.createPost({
      author: replier.username,
      text: '参加 #くじ',
      replyTo: DEMO_CAMPAIGN_POST_ID,
    });
    const third = await poll(second.cursors);
    assert.equal(third.newEvents, 1);
    assert.notEqual(third.cursors.repliesSinceId, first.cursors.repliesSinceId);
    const search = emulator.requestLog.filter((r) => r.path === '/2/tweets/search/recent');
    assert.equal(search.length, 3);
  });

  it('stores nothing once the campaign takes no more events, under the lock the webhook takes', async () => {
    const people = participants(2, 'afterhours');
    const [fan, liker] = people;
    assert.ok(fan && liker);
    const scenario = worldScenario(people);
    scenario.reposts = [{ user: fan.username, post: DEMO_CAMPAIGN_POST_ID }];
    scenario.likes = [{ user: liker.username, post: DEMO_CAMPAIGN_POST_ID }];
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 1 });
    const config: CampaignConfigInput = {
      ...base,
      entryRules: { all: [{ type: 'repost' }, { type: 'like' }] },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    const poll = async () => {
      const run = await runActivity(() =>
        runtime.pollEntries({ campaignId: campaign.id, cursors: {} }),
      );
      assert.equal(run.error, undefined);
      assert.ok(run.result);
      return run.result.newEvents;
    };
    const stored = async () =>
      (
        await testDb.db
          .selectFrom('entry_events')
          .select('id')
          .where('campaign_id', '=', campaign.id)
          .execute()
      ).length;

    // The workflow has recorded `analyzing`: it decides no more events, so none may land now.
    await updateCampaignPhase(testDb.db, campaign.id, 'analyzing');
    assert.equal(await poll(), 0);
    assert.equal(await stored(), 0);

    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    assert.equal(await poll(), 2);
    assert.equal(await stored(), 2);
  });
});
