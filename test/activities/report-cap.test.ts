/**
 * The daily DM cap is one rule (domain/quota.ts dailyCapOf): when X reports a DM limit per 24
 * hours below the configured cap, the quota, the deliveries page and the report all use X's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { findAccountById } from '../../db/repositories/accounts';
import { listDeliveries } from '../../db/repositories/deliveries';
import { quotaUsage } from '../../db/repositories/quota';
import { findReport } from '../../db/repositories/reports';
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
import { runActivity } from '../x/support';

describe('the daily DM cap when X allows less than configured', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  it("records X's lower limit and the report gives it as the day's cap", async () => {
    const people = participants(2, 'xcap');
    const scenario = worldScenario(people);
    const xDayLimit = 40;
    await emulator.loadScenario({
      ...scenario,
      rateLimits: {
        'dm.send': {
          limit: 100_000,
          windowSeconds: 900,
          userDay: { limit: xDayLimit, windowSeconds: 86_400 },
          appDay: { limit: 100_000, windowSeconds: 86_400 },
        },
      },
    });
    const configuredCap = 100;
    const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: configuredCap });
    const config = dmKeywordDrawConfig(accountId, new Date(), { winners: 2 });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await runtime.prepareCampaign({ campaignId: campaign.id });
    const now = new Date().toISOString();
    await runtime.processEntries({ campaignId: campaign.id, now, limit: 10 });
    await runtime.drawCampaign({ campaignId: campaign.id });
    const deliveries = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 10 });
    assert.equal(deliveries.length, 2);
    for (const delivery of deliveries) {
      const sent = await runActivity(() => runtime.sendDelivery({ deliveryId: delivery.id, now }));
      assert.equal(sent.error, undefined);
    }

    await runtime.computeReport({ campaignId: campaign.id, now });
    const report = (await findReport(testDb.db, campaign.id))?.report as {
      perDay: { dayKey: string; count: number; cap: number }[];
    };
    assert.deepEqual(
      report.perDay.map((perDay) => [perDay.count, perDay.cap]),
      [[2, xDayLimit]],
    );
    // X's `x-user-limit-24hour-limit` on the first send is remembered for the account, so the
    // second reservation already ran under it: the ledger holds X's limit for the day.
    assert.equal((await findAccountById(testDb.db, accountId))?.xDmDayLimit, xDayLimit);
    const dayKey = report.perDay[0]?.dayKey;
    assert.ok(dayKey);
    assert.equal((await quotaUsage(testDb.db, accountId, dayKey))?.cap, xDayLimit);
  });
});
