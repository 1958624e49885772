import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { createDb } from '../../db/client';
import type { DeliveryKind, DeliveryState } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { insertDeliveries } from '../../db/repositories/deliveries';
import type { DeliveryChannel } from '../../domain/consent';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** `name{a="1",b="2"}` → value, labels in the order the exposition wrote them. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The samples of one metric, keyed by their label set (`{...}`, or '' when it has none). */
function series(samples: Map<string, number>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of samples) {
    if (key === name) out[''] = value;
    else if (key.startsWith(`${name}{`)) out[key.slice(name.length)] = value;
  }
  return out;
}

function lazyTemporal() {
  return new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
}

describe('GET /metrics', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;

  async function scrape(target = app) {
    const response = await target.inject({ url: '/metrics' });
    assert.equal(response.statusCode, 200, response.body);
    return { response, samples: parseExposition(response.body) };
  }

  async function seed() {
    const db = testDb.db;
    for (const id of ['acct-a', 'acct-b', 'acct-c']) {
      await insertAccount(db, { id, handle: id });
    }
    await db
      .updateTable('accounts')
      .set({
        halt: JSON.stringify({
          code: 'account_locked',
          category: 'sender_restricted',
          campaignId: null,
        }),
        halted_at: new Date(),
      })
      .where('id', 'in', ['acct-b', 'acct-c'])
      .execute();

    const campaigns: [string, string, boolean][] = [
      ['cmp-1', 'collecting', false],
      ['cmp-2', 'collecting', true],
      ['cmp-3', 'delivering', true],
      ['cmp-4', 'completed', false],
    ];
    for (const [id, phase, paused] of campaigns) {
      await insertCampaign(db, { id, name: id, accountId: 'acct-a', config: {}, author: 'alice' });
      await db.updateTable('campaigns').set({ phase, paused }).where('id', '=', id).execute();
    }

    const deliveries: [DeliveryState, DeliveryKind, DeliveryChannel, number][] = [
      ['sent', 'win', 'dm', 3],
      ['queued', 'win', 'dm', 2],
      ['failed', 'lose', 'reply', 1],
      ['sent', 'lose', 'reply', 4],
    ];
    let n = 0;
    for (const [state, kind, channel, count] of deliveries) {
      const ids = Array.from({ length: count }, () => `dlv-${(n += 1)}`);
      await insertDeliveries(
        db,
        ids.map((id) => ({
          id,
          campaignId: 'cmp-3',
          accountId: 'acct-a',
          xUserId: id,
          kind,
          channel,
        })),
      );
      // Queued on insert, as the planner does; then moved on as sending would.
      await db.updateTable('deliveries').set({ state }).where('id', 'in', ids).execute();
    }

    const interventions: [string, string, 'open' | 'resolved'][] = [
      ['int-1', 'not_received', 'open'],
      ['int-2', 'not_received', 'open'],
      ['int-3', 'error_rate', 'open'],
      ['int-4', 'error_rate', 'resolved'],
      ['int-5', 'misdelivery', 'resolved'],
    ];
    await db
      .insertInto('interventions')
      .values(
        interventions.map(([id, kind, status]) => ({
          id,
          campaign_id: 'cmp-3',
          account_id: null,
          kind,
          status,
          dedupe_key: id,
          details: '{}',
          opened_by: 'workflow',
          resolution: null,
          resolved_by: null,
          resolved_at: null,
          resolution_details: null,
        })),
      )
      .execute();

    await db
      .insertInto('dm_quota_days')
      .values([
        { account_id: 'acct-a', day_key: '2026-02-01', used: 100, cap: 100 },
        { account_id: 'acct-a', day_key: '2026-02-02', used: 37, cap: 100 },
        { account_id: 'acct-b', day_key: '2026-02-02', used: 5, cap: 50 },
      ])
      .execute();
  }

  before(async () => {
    testDb = await createTestDatabase();
    app = await buildApp({
      db: testDb.db,
      temporal: lazyTemporal(),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
  });
  beforeEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  it('answers Prometheus text without an API key', async () => {
    const { response } = await scrape();
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(response.body, /^# HELP kuji_campaigns /m);
    assert.match(response.body, /^# TYPE kuji_http_request_duration_seconds histogram$/m);
  });

  it('reports the exact counts of the seeded rows', async () => {
    await seed();
    const { samples } = await scrape();
    assert.deepEqual(series(samples, 'kuji_campaigns'), {
      '{phase="collecting"}': 2,
      '{phase="delivering"}': 1,
      '{phase="completed"}': 1,
    });
    assert.deepEqual(series(samples, 'kuji_campaigns_paused'), { '': 2 });
    assert.deepEqual(series(samples, 'kuji_deliveries'), {
      '{state="sent",kind="win",channel="dm"}': 3,
      '{state="queued",kind="win",channel="dm"}': 2,
      '{state="failed",kind="lose",channel="reply"}': 1,
      '{state="sent",kind="lose",channel="reply"}': 4,
    });
    assert.deepEqual(series(samples, 'kuji_interventions_open'), {
      '{kind="not_received"}': 2,
      '{kind="error_rate"}': 1,
    });
    assert.deepEqual(series(samples, 'kuji_accounts_halted'), { '': 2 });
    assert.deepEqual(series(samples, 'kuji_dm_quota_used_total'), {
      '{account_id="acct-a"}': 137,
      '{account_id="acct-b"}': 5,
    });
  });

  it('reads the database afresh at each scrape: rows gone take their series with them', async () => {
    await seed();
    await scrape();
    await testDb.truncate();
    const { samples } = await scrape();
    assert.deepEqual(series(samples, 'kuji_campaigns'), {});
    assert.deepEqual(series(samples, 'kuji_deliveries'), {});
    assert.deepEqual(series(samples, 'kuji_interventions_open'), {});
    assert.deepEqual(series(samples, 'kuji_dm_quota_used_total'), {});
    assert.deepEqual(series(samples, 'kuji_campaigns_paused'), { '': 0 });
    assert.deepEqual(series(samples, 'kuji_accounts_halted'), { '': 0 });
  });

  it('counts requests by route pattern, never by raw URL', async () => {
    const before = series((await scrape()).samples, 'kuji_http_requests_total');
    const key = '{method="GET",route="/v1/campaigns/:id/report",status="401"}';
    const rawId = 'cmp-secret-id-4242';
    for (let i = 0; i < 2; i += 1) {
      const response = await app.inject({ url: `/v1/campaigns/${rawId}/report` });
      assert.equal(response.statusCode, 401);
    }
    await app.inject({ url: `/no/such/route/${rawId}` });

    const { response, samples } = await scrape();
    const counts = series(samples, 'kuji_http_requests_total');
    assert.equal((counts[key] ?? 0) - (before[key] ?? 0), 2);
    const unmatched = '{method="GET",route="(unmatched)",status="404"}';
    assert.equal((counts[unmatched] ?? 0) - (before[unmatched] ?? 0), 1);
    assert.equal(series(samples, 'kuji_http_request_duration_seconds_count')[key], counts[key]);
    assert.ok(!response.body.includes(rawId), 'no raw id in any label');
    // Earlier scrapes are counted under their own pattern.
    assert.ok((counts['{method="GET",route="/metrics",status="200"}'] ?? 0) >= 1);
  });

  it('includes Node process metrics', async () => {
    const { samples } = await scrape();
    assert.ok(series(samples, 'process_cpu_user_seconds_total')[''] !== undefined);
    assert.ok((series(samples, 'nodejs_heap_size_total_bytes')[''] ?? 0) > 0);
  });

  it('keeps a registry per app: another app counts only its own requests', async () => {
    const other = await buildApp({
      db: testDb.db,
      temporal: lazyTemporal(),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    try {
      await app.inject({ url: '/v1/campaigns/x/report' });
      const { samples } = await scrape(other);
      const counts = series(samples, 'kuji_http_requests_total');
      assert.deepEqual(Object.keys(counts), [], 'nothing before its first scrape is answered');
      const second = series((await scrape(other)).samples, 'kuji_http_requests_total');
      assert.deepEqual(second, { '{method="GET",route="/metrics",status="200"}': 1 });
    } finally {
      await other.close();
    }
  });

  it('answers 503 metrics_unavailable when PostgreSQL cannot be read', async () => {
    const deadDb = createDb('postgres://postgres:x@127.0.0.1:1/postgres', { max: 1 });
    const broken = await buildApp({
      db: deadDb,
      temporal: lazyTemporal(),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    try {
      const response = await broken.inject({ url: '/metrics' });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json<{ code: string }>().code, 'metrics_unavailable');
    } finally {
      await broken.close();
      await deadDb.destroy();
    }
  });
});
