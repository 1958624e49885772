import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import type { ApiRole } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { insertCampaign } from '../../db/repositories/campaigns';
import { upsertReport } from '../../db/repositories/reports';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { xErrorCatalog } from '../../domain/x-errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

/** Shaped like activities/report/campaign-report.ts computeReport's output. */
function sampleReport(campaignId: string) {
  return {
    campaignId,
    generatedAt: '2026-02-03T09:00:00.000Z',
    funnel: {
      events: 320,
      participants: 300,
      eligible: 250,
      ineligible: 50,
      won: 150,
      lost: 100,
      alternates: 0,
      byIneligibleReason: { protected_account: 30, duplicate_entry: 20 },
      dmAttempted: 150,
      delivered: 148,
    },
    deliveries: { queued: 0, reserved: 0, sending: 0, sent: 148, failed: 2, skipped: 0 },
    perDay: [
      { dayKey: '2026-02-01', count: 100, cap: 100 },
      { dayKey: '2026-02-02', count: 48, cap: 100 },
    ],
    failures: [{ code: 'dm_not_permitted', category: 'recipient_unreachable', count: 2 }],
    stock: [
      {
        prizeId: 'gift',
        name: 'ギフト券, 500円分',
        valueYen: 500,
        stockTotal: 150,
        stockRemaining: 0,
        codesTotal: 0,
        codesRemaining: 0,
      },
    ],
    draw: { seed: 'seed-1', digest: 'abc123', entryCount: 250, winners: ['101', '102'] },
    timings: { createdAt: '2026-01-20T00:00:00.000Z', completedAt: '2026-02-03T09:00:00.000Z' },
  };
}

/** Splits CSV text with CRLF line ends into rows of fields, honouring quotes (RFC 4180). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += char;
    }
  }
  return rows;
}

describe('report routes (API → PostgreSQL)', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const keys = {} as Record<ApiRole, string>;
  const auth = (role: ApiRole) => ({ authorization: `Bearer ${keys[role]}` });
  let campaignId: string;
  const campaignName = '冬の抽選キャンペーン "2026"';

  before(async () => {
    testDb = await createTestDatabase();
    // These routes read PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
    }
    const accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'kuji_demo' });
    campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: campaignName,
      accountId,
      config: { ...exampleCampaignConfig(new Date()), accountId, name: campaignName },
      author: 'alice',
    });
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  describe('GET /v1/campaigns/:id/report', () => {
    it('answers 404 report_not_ready until the report is stored', async () => {
      for (const url of [
        `/v1/campaigns/${campaignId}/report`,
        `/v1/campaigns/${campaignId}/report.csv`,
      ]) {
        const response = await app.inject({ url, headers: auth('viewer') });
        assert.equal(response.statusCode, 404, url);
        assert.equal(response.json<{ code: string }>().code, 'report_not_ready');
      }
    });

    it('returns the stored report to a viewer', async () => {
      const report = sampleReport(campaignId);
      await upsertReport(testDb.db, campaignId, report);
      const response = await app.inject({
        url: `/v1/campaigns/${campaignId}/report`,
        headers: auth('viewer'),
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<{ report: unknown; storedAt: string }>();
      assert.deepEqual(body.report, report);
      assert.ok(!Number.isNaN(Date.parse(body.storedAt)));
    });

    it('answers 404 campaign_not_found for an unknown campaign and 401 without a key', async () => {
      const unknown = await app.inject({
        url: '/v1/campaigns/no-such-campaign/report',
        headers: auth('viewer'),
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'campaign_not_found');
      for (const url of [
        `/v1/campaigns/${campaignId}/report`,
        `/v1/campaigns/${campaignId}/report.csv`,
      ]) {
        const anonymous = await app.inject({ url });
        assert.equal(anonymous.statusCode, 401, url);
      }
    });
  });

  describe('GET /v1/campaigns/:id/report.csv', () => {
    it('exports UTF-8 CSV with a BOM that keeps Japanese text, one row per day then the sections', async () => {
      await upsertReport(testDb.db, campaignId, sampleReport(campaignId));
      const response = await app.inject({
        url: `/v1/campaigns/${campaignId}/report.csv`,
        headers: auth('viewer'),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
      assert.match(
        String(response.headers['content-disposition']),
        /attachment; filename=".+\.csv"/,
      );
      assert.deepEqual([...response.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);

      const text = response.rawPayload.toString('utf8');
      assert.ok(text.startsWith('\uFEFF'));
      const rows = parseCsv(text.slice(1));
      assert.deepEqual(rows[0], ['section', 'key', 'value', 'detail']);
      const section = (name: string) =>
        rows.filter((row) => row[0] === name).map((row) => row.slice(1));
      assert.deepEqual(section('campaign'), [
        ['id', campaignId, ''],
        ['name', campaignName, ''],
        ['generatedAt', '2026-02-03T09:00:00.000Z', ''],
      ]);
      assert.deepEqual(section('day'), [
        ['2026-02-01', '100', '100'],
        ['2026-02-02', '48', '100'],
      ]);
      assert.deepEqual(
        section('funnel').map(([key]) => key),
        [
          'events',
          'participants',
          'eligible',
          'ineligible',
          'won',
          'lost',
          'alternates',
          'dmAttempted',
          'delivered',
        ],
      );
      assert.deepEqual(section('funnel')[0], ['events', '320', '']);
      assert.deepEqual(
        section('delivery_state').map(([key, value]) => `${key}=${value}`),
        ['queued=0', 'reserved=0', 'sending=0', 'sent=148', 'failed=2', 'skipped=0'],
      );
      assert.deepEqual(section('ineligible_reason'), [
        ['protected_account', '30', ''],
        ['duplicate_entry', '20', ''],
      ]);
      assert.deepEqual(section('failure'), [['dm_not_permitted', '2', 'recipient_unreachable']]);
      const { reason } = xErrorCatalog.dm_not_permitted;
      assert.deepEqual(section('failure_reason'), [['dm_not_permitted', reason.ja, reason.en]]);
      assert.deepEqual(section('prize_name'), [['gift', 'ギフト券, 500円分', '']]);
      assert.deepEqual(section('draw').at(-1), ['winners', '2', '']);
      // Days come before the funnel, the funnel before failures.
      const order = rows.map((row) => row[0]);
      assert.ok(order.lastIndexOf('day') < order.indexOf('funnel'));
      assert.ok(order.lastIndexOf('funnel') < order.indexOf('failure'));
    });
  });
});
