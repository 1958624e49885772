/**
 * The X API cost as the API shows it: GET /v1/campaigns/:id/costs live from the counted calls,
 * and the report (JSON and report.csv's x_cost section) as computeReport stores it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createReportActivities } from '../../activities/report';
import { buildApp } from '../../api/app';
import { defaultXPrices } from '../../config/x-prices';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertCampaign } from '../../db/repositories/campaigns';
import { recordXReadUsage, recordXWriteUsage } from '../../db/repositories/x-api-usage';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

interface CostsBody {
  campaignId: string;
  currency: string;
  lines: { kind: string; units: number; unitUsd: number; usd: number; label: { ja: string } }[];
  totalUsd: number;
  budgetUsd: number | null;
  remainingUsd: number | null;
  accountWide: {
    lines: { kind: string; units: number; usd: number }[];
    totalUsd: number;
    note: { ja: string; en: string };
  };
  prices: { readOn: string; source: string };
  estimate: { expectedEntries: number; totalUsd: number; overBudget: boolean } | null;
}

describe('X API cost (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let viewerKey: string;
  let campaignId: string;
  let accountId: string;

  before(async () => {
    testDb = await createTestDatabase();
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    viewerKey = (await insertApiKey(testDb.db, { id: 'viewer', name: 'viewer', role: 'viewer' }))
      .secret;
    accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'kuji_cost' });
    campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'cost',
      accountId,
      config: {
        ...exampleCampaignConfig(new Date()),
        accountId,
        budget: { usd: 1 },
        expectedEntries: 100,
      },
      author: 'alice',
    });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  const costs = async () => {
    const response = await app.inject({
      url: `/v1/campaigns/${campaignId}/costs`,
      headers: { authorization: `Bearer ${viewerKey}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<CostsBody>();
  };
  const line = (body: CostsBody, kind: string) => body.lines.find((l) => l.kind === kind);

  describe('GET /v1/campaigns/:id/costs', () => {
    it('shows nothing spent, the whole budget left, the price date and the estimate', async () => {
      const body = await costs();
      assert.equal(body.campaignId, campaignId);
      assert.equal(body.currency, 'USD');
      assert.ok(body.lines.every((l) => l.units === 0 && l.usd === 0));
      assert.equal(line(body, 'dm_create')?.unitUsd, 0.015);
      assert.equal(line(body, 'dm_create')?.label.ja, 'DMの送信');
      assert.deepEqual([body.totalUsd, body.budgetUsd, body.remainingUsd], [0, 1, 1]);
      assert.deepEqual(body.prices, {
        readOn: defaultXPrices.readOn,
        source: defaultXPrices.source,
      });
      assert.equal(body.estimate?.expectedEntries, 100);
      assert.ok((body.estimate?.totalUsd ?? 0) > 0);
    });

    it('prices the calls counted for the campaign, and only those', async () => {
      const subject = { campaignId, accountId };
      const at = new Date();
      await recordXWriteUsage(testDb.db, subject, { kind: 'dm_create', xObjectId: 'dm-1' });
      await recordXWriteUsage(testDb.db, subject, { kind: 'dm_create', xObjectId: 'dm-2' });
      await recordXReadUsage(testDb.db, subject, {
        kind: 'user_read',
        resourceIds: ['u1', 'u2', 'u3'],
        at,
      });
      await recordXWriteUsage(
        testDb.db,
        { campaignId: 'another', accountId },
        { kind: 'post_create_url', xObjectId: 'p-9' },
      );
      // The account's whole DM inbox, read by this campaign's polling: the account's, not its own.
      await recordXReadUsage(
        testDb.db,
        { ...subject, accountWide: true },
        { kind: 'dm_event_read', resourceIds: ['e1', 'e2', 'e3', 'e4', 'e5'], at },
      );
      const body = await costs();
      assert.equal(line(body, 'dm_event_read')?.units, 0);
      assert.equal(body.accountWide.totalUsd, 0.05);
      assert.deepEqual(
        body.accountWide.lines.filter((l) => l.units > 0).map((l) => [l.kind, l.units, l.usd]),
        [['dm_event_read', 5, 0.05]],
      );
      assert.match(body.accountWide.note.en, /not counted against this campaign's budget/);
      assert.match(body.accountWide.note.ja, /予算には数えません/);
      assert.deepEqual([line(body, 'dm_create')?.units, line(body, 'dm_create')?.usd], [2, 0.03]);
      assert.deepEqual([line(body, 'user_read')?.units, line(body, 'user_read')?.usd], [3, 0.03]);
      assert.equal(line(body, 'post_create_url')?.units, 0);
      assert.deepEqual([body.totalUsd, body.remainingUsd], [0.06, 0.94]);
    });

    it('answers 404 for an unknown campaign and 401 without a key', async () => {
      const unknown = await app.inject({
        url: '/v1/campaigns/no-such-campaign/costs',
        headers: { authorization: `Bearer ${viewerKey}` },
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'campaign_not_found');
      const anonymous = await app.inject({ url: `/v1/campaigns/${campaignId}/costs` });
      assert.equal(anonymous.statusCode, 401);
    });
  });

  describe('the report', () => {
    it('stores the cost with the report and exports it as the x_cost section of report.csv', async () => {
      const reports = createReportActivities({ db: testDb.db, xPrices: defaultXPrices });
      await reports.computeReport({ campaignId, now: new Date().toISOString() });
      const json = await app.inject({
        url: `/v1/campaigns/${campaignId}/report`,
        headers: { authorization: `Bearer ${viewerKey}` },
      });
      assert.equal(json.statusCode, 200, json.body);
      const { report } = json.json<{ report: { xCost: CostsBody } }>();
      assert.equal(report.xCost.totalUsd, 0.06);
      assert.equal(report.xCost.budgetUsd, 1);
      assert.equal(line(report.xCost, 'dm_create')?.units, 2);
      assert.equal(report.xCost.accountWide.totalUsd, 0.05);

      const csv = await app.inject({
        url: `/v1/campaigns/${campaignId}/report.csv`,
        headers: { authorization: `Bearer ${viewerKey}` },
      });
      assert.equal(csv.statusCode, 200, csv.body);
      const rows = csv.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter((row) => row.startsWith('x_cost,'));
      assert.ok(rows.includes('x_cost,dm_create,2,0.03'), rows.join('\n'));
      assert.ok(rows.includes('x_cost,user_read,3,0.03'));
      assert.ok(rows.includes('x_cost,total_usd,0.06,'));
      assert.ok(rows.includes('x_cost,budget_usd,1,'));
      assert.ok(rows.includes('x_cost,remaining_usd,0.94,'));
      assert.ok(rows.includes('x_cost,account_wide_usd,0.05,not in budget'), rows.join('\n'));
      assert.ok(
        rows.includes(`x_cost,prices_read_on,${defaultXPrices.readOn},${defaultXPrices.source}`),
      );
    });
  });
});
