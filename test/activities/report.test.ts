/**
 * computeReport: a report that reconciles (every event processed, every participant in exactly
 * one outcome) and shows the daily cap the quota ledger really enforced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCampaignRuntimeActivities } from '../../activities';
import { createXAccess } from '../../activities/x-access';
import { listDeliveries } from '../../db/repositories/deliveries';
import { insertEntryEvents } from '../../db/repositories/entries';
import { findReport } from '../../db/repositories/reports';
import { effectiveDailyCap } from '../../domain/quota';
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

describe('computeReport activity', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  it('reconciles events and outcomes, and gives the effective daily cap', async () => {
    const people = participants(3, 'report');
    const [winner, loser, late] = people;
    assert.ok(winner && loser && late);
    await emulator.loadScenario(worldScenario(people));
    // Above what X allows an account in a day: the ledger enforces less than this.
    const configuredCap = 1_440;
    const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: configuredCap });
    const config = dmKeywordDrawConfig(accountId, new Date(), { winners: 1 });
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [winner, loser],
      config,
    });
    await insertEntryEvents(testDb.db, [
      {
        campaignId: campaign.id,
        xEventId: `dm-${late.id}`,
        source: 'dm_keyword',
        xUserId: late.id,
        username: late.username,
        text: '参加します',
        receivedVia: 'webhook',
        occurredAt: new Date(Date.parse(config.schedule.endAt) + 60_000),
      },
    ]);
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
    for (const delivery of await listDeliveries(testDb.db, {
      campaignId: campaign.id,
      limit: 10,
    })) {
      const sent = await runActivity(() => runtime.sendDelivery({ deliveryId: delivery.id, now }));
      assert.equal(sent.error, undefined);
    }

    await runtime.computeReport({ campaignId: campaign.id, now });

    const report = (await findReport(testDb.db, campaign.id))?.report as {
      perDay: { dayKey: string; count: number; cap: number }[];
      funnel: Record<string, unknown>;
      reconciliation: Record<string, unknown>;
      channels: Record<string, number>;
    };
    const cap = effectiveDailyCap({ configuredCap });
    assert.ok(cap < configuredCap);
    assert.deepEqual(
      report.perDay.map((day) => [day.count, day.cap]),
      [[1, cap]],
    );
    assert.deepEqual(report.reconciliation, {
      events: 3,
      processedEvents: 3,
      unprocessedEvents: 0,
      participants: 3,
      winners: 1,
      losers: 1,
      ineligible: 1,
      held: 0,
      reconciled: true,
      problems: [],
    });
    assert.equal(report.funnel.held, 0);
    assert.deepEqual(report.funnel.byIneligibleReason, { outside_entry_period: 1 });
    // The one result sent went by DM: none was left to the page only.
    assert.deepEqual(report.channels, { dm: 1, reply: 0, result_page: 0 });
  });
});
