import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { resultLinkToken } from '../../domain/result-links';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

describe('request logs', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const lines: string[] = [];
  const seed = 'request-log-test-seed';
  const xUserId = '1790000000000001008';
  let campaignId: string;

  /** Every log record written since `from`, parsed. */
  const records = (from = 0) =>
    lines.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);

  before(async () => {
    testDb = await createTestDatabase();
    // The page reads PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp(
      {
        db: testDb.db,
        temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
        temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      },
      { logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } },
    );
    const accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'kuji_demo' });
    campaignId = uniqueId('cmp');
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'ログの確認',
      accountId,
      config: {},
      author: 'alice',
    });
    await testDb.db
      .updateTable('campaigns')
      .set({ secret_seed: seed })
      .where('id', '=', campaignId)
      .execute();
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  it("logs a result link's campaign and user, never its token", async () => {
    const token = resultLinkToken(seed, xUserId);
    const from = lines.length;

    const response = await app.inject({ url: `/r/${campaignId}/${xUserId}/${token}?ref=dm` });

    assert.equal(response.statusCode, 200, 'the link is valid');
    const logged = lines.slice(from).join('\n');
    assert.ok(logged.length > 0, 'the request was logged');
    assert.ok(!logged.includes(token), logged);
    const urls = records(from).flatMap((record) => {
      const req = record.req as { url?: string } | undefined;
      return req?.url ? [req.url] : [];
    });
    assert.deepEqual(urls, [`/r/${campaignId}/${xUserId}/***?ref=dm`]);
  });

  it('hides the token of a result link with more path after it', async () => {
    const token = resultLinkToken(seed, xUserId);
    const from = lines.length;

    const response = await app.inject({ url: `/r/${campaignId}/${xUserId}/${token}/more` });

    assert.equal(response.statusCode, 404);
    const logged = lines.slice(from).join('\n');
    assert.ok(!logged.includes(token), logged);
    assert.ok(logged.includes(`/r/${campaignId}/${xUserId}/***/more`), logged);
  });

  it('logs other URLs as they came', async () => {
    const from = lines.length;

    await app.inject({ url: '/v1/campaigns/winter-2026/deliveries?state=failed' });

    const urls = records(from).flatMap((record) => {
      const req = record.req as { url?: string } | undefined;
      return req?.url ? [req.url] : [];
    });
    assert.deepEqual(urls, ['/v1/campaigns/winter-2026/deliveries?state=failed']);
  });
});
