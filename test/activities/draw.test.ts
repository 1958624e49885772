import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { listDrawnEntryIds } from '../../db/repositories/campaign-pages';
import { listDeliveries } from '../../db/repositories/deliveries';
import { findDraw } from '../../db/repositories/draws';
import { eligibleEntryIds, setEntryOutcomes } from '../../db/repositories/entries';
import { entriesDigest, verifyDraw } from '../../domain/lottery';
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
import { emulatorClock, runActivity } from '../x/support';

describe('drawCampaign activity', () => {
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

  /** A drawn campaign whose entries are processed, and the real runtime activities. */
  async function campaignReadyToDraw(
    prefix: string,
    entrants: number,
    winners: number,
    alternates = 0,
  ) {
    const people = participants(entrants, prefix);
    // Entrants' profiles are looked up on X while their entries are decided.
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), {
        winners,
        overrides: { draw: { winners, alternates } },
      }),
    });
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await activities.prepareCampaign({ campaignId: campaign.id });
    await activities.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 500,
    });
    return { campaign, activities };
  }

  it('is safe to retry: the same winners, stock taken once, each winner queued once', async () => {
    const { campaign, activities } = await campaignReadyToDraw('retry', 20, 6);

    const first = await activities.drawCampaign({ campaignId: campaign.id });
    const retry = await activities.drawCampaign({ campaignId: campaign.id });

    assert.deepEqual({ ...retry, queued: first.queued }, first, 'a retry publishes the same draw');
    assert.equal(first.queued, 6);
    assert.equal(retry.queued, 0, 'nothing is queued twice');
    const queued = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 100 });
    assert.equal(queued.length, 6);
    const stock = await testDb.db
      .selectFrom('prizes')
      .select('stock_remaining')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    assert.equal(stock.stock_remaining, 0);
  });

  it("keeps the draw's entry list with it: an alternate judged ineligible later leaves the published list and its digest as drawn", async () => {
    const { campaign, activities } = await campaignReadyToDraw('entries', 8, 2, 2);
    const pool = await eligibleEntryIds(testDb.db, campaign.id);
    const drawn = await activities.drawCampaign({ campaignId: campaign.id });
    const draw = await findDraw(testDb.db, campaign.id);
    assert.ok(draw);
    assert.equal(draw.alternates.length, 2);
    const disqualified = draw.alternates[0]!;
    await setEntryOutcomes(testDb.db, campaign.id, [
      { xUserId: disqualified, outcome: 'ineligible' },
    ]);

    const published = await listDrawnEntryIds(testDb.db, campaign.id);
    assert.deepEqual(published, pool);
    assert.ok(published.includes(disqualified));
    assert.deepEqual(entriesDigest(published), {
      digest: drawn.digest,
      entryCount: drawn.entryCount,
    });
    assert.deepEqual(verifyDraw(draw, published), { ok: true, problems: [] });
  });

  it('re-queues every winner when a retry finds outcomes stored but no deliveries', async () => {
    const { campaign, activities } = await campaignReadyToDraw('requeue', 10, 4);
    await activities.drawCampaign({ campaignId: campaign.id });
    // The state a crash between storing outcomes and queueing would leave behind.
    await testDb.db.deleteFrom('deliveries').where('campaign_id', '=', campaign.id).execute();

    const retry = await activities.drawCampaign({ campaignId: campaign.id });

    assert.equal(retry.queued, 4);
    const stock = await testDb.db
      .selectFrom('prizes')
      .select('stock_remaining')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    assert.equal(stock.stock_remaining, 0, 'stock is not taken again');
  });

  it('refreshes follows before the draw one participant at a time, stored as read: a spent window resumes where it stopped', async () => {
    const people = participants(4, 'refresh');
    const scenario = worldScenario(people);
    scenario.follows = people.map((p): [string, string] => [p.username, DEMO_SENDER_USERNAME]);
    scenario.rateLimits = {
      ...scenario.rateLimits,
      'users.following': { limit: 3, windowSeconds: 900 },
    };
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(), { winners: 2 });
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: {
        ...base,
        entryRules: { all: [{ type: 'dm_keyword', keyword: '参加' }, { type: 'follow' }] },
      },
    });
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
    const followingReads = () =>
      emulator.requestLog.filter((r) => r.path.endsWith('/following')).length;
    const refreshed = async () =>
      (
        await testDb.db
          .selectFrom('entries')
          .select('x_user_id')
          .where('campaign_id', '=', campaign.id)
          .where(sql<boolean>`facts ? 'refreshedForDrawAt'`)
          .execute()
      ).length;
    try {
      await activities.prepareCampaign({ campaignId: campaign.id });
      const process = () =>
        runActivity(() =>
          activities.processEntries({
            campaignId: campaign.id,
            now: new Date(clock.now()).toISOString(),
            limit: 500,
          }),
        );
      assert.equal((await process()).result?.processed, 3);
      emulator.clock.advance(901_000);
      assert.equal((await process()).result?.remaining, 0);
      assert.equal(followingReads(), 4);

      // Two reads are left in this window: two participants are refreshed, then the draw waits.
      const first = await runActivity(() => activities.drawCampaign({ campaignId: campaign.id }));
      assert.ok(first.error instanceof ApplicationFailure, String(first.error));
      assert.equal(first.error.type, 'rate_limited');
      assert.ok(Number(first.error.nextRetryDelay) > 0, 'retried at the reset');
      assert.equal(followingReads(), 6);
      assert.equal(await refreshed(), 2, 'each participant is stored as soon as X answered');
      assert.ok(
        first.heartbeats.some((h) => (h as { step?: string }).step === 'draw_refresh'),
        'a heartbeat after each participant',
      );

      emulator.clock.advance(901_000);
      const retry = await runActivity(() => activities.drawCampaign({ campaignId: campaign.id }));
      assert.equal(retry.error, undefined, String(retry.error));
      assert.equal(retry.result?.winners, 2);
      assert.equal(followingReads(), 8, 'nobody refreshed is read again');
      assert.equal(await refreshed(), 4);
    } finally {
      emulator.clock.set(Date.now());
    }
  });
});
