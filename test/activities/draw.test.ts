import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities/campaign-runtime';
import { createXActivities } from '../../activities/x-activities';
import { listDeliveries } from '../../db/repositories/deliveries';
import { startXEmulator, type XEmulator } from '../../x/emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';

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
  async function campaignReadyToDraw(prefix: string, entrants: number, winners: number) {
    const people = participants(entrants, prefix);
    // Entrants' profiles are looked up on X while their entries are decided.
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners }),
    });
    const activities = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXActivities({
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
});
