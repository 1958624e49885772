import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import type { ApiDependencies } from '../../api/plugins/dependencies';
import { CONSOLE_SIGN_INS_PER_MINUTE } from '../../api/routes/console-session';
import { VERIFY_CHECKS_PER_MINUTE } from '../../api/routes/verify';
import { up as createRateLimitCounters } from '../../db/migrations/2026_12_03_2240_create_rate_limit_counters';
import { insertApiKey } from '../../db/repositories/api-keys';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** One API replica: its own Fastify instance, the shared database. */
function replica(testDb: TestDatabase, extra: Partial<ApiDependencies> = {}) {
  return buildApp({
    db: testDb.db,
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    ...extra,
  });
}

describe('rate limits across API replicas on one database', () => {
  let testDb: TestDatabase;
  let replicas: FastifyInstance[] = [];
  before(async () => {
    testDb = await createTestDatabase();
  });
  beforeEach(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    replicas = [];
    await testDb.truncate();
  });
  after(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await testDb?.close();
  });
  const twoReplicas = async (
    extra: Partial<ApiDependencies> = {},
  ): Promise<[FastifyInstance, FastifyInstance]> => {
    const pair: [FastifyInstance, FastifyInstance] = [
      await replica(testDb, extra),
      await replica(testDb, extra),
    ];
    replicas = pair;
    return pair;
  };

  it('counts one API key across both: requests alternated between them share its limit', async () => {
    const [a, b] = await twoReplicas({ rateLimits: { perKey: 4, perAddress: 100 } });
    const { secret } = await insertApiKey(testDb.db, { name: 'shared', role: 'viewer' });
    const headers = { authorization: `Bearer ${secret}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a : b;
      statuses.push((await app.inject({ url: '/v1/accounts', headers })).statusCode);
    }
    // In memory each replica would allow 4: six 200s.
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    const limited = await a.inject({ url: '/v1/accounts', headers });
    assert.equal(limited.json<{ code: string }>().code, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
  });

  it('counts one address across both, whatever keys it makes up', async () => {
    const [a, b] = await twoReplicas({ rateLimits: { perKey: 100, perAddress: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const app = i % 2 === 0 ? a : b;
      const answer = await app.inject({
        url: '/v1/accounts',
        remoteAddress: '203.0.113.50',
        headers: { authorization: `Bearer guess-${i}` },
      });
      statuses.push(answer.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    // Another address has its own count on either replica.
    const other = await b.inject({
      url: '/v1/accounts',
      remoteAddress: '203.0.113.51',
      headers: { authorization: 'Bearer guess' },
    });
    assert.equal(other.statusCode, 401);
  });

  it('shares the console sign-in and /verify page limits', async () => {
    const [a, b] = await twoReplicas();
    const signIn = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/v1/console/session',
        remoteAddress: '198.51.100.60',
        payload: { apiKey: 'not-a-real-key-0123456789' },
      });
    const signIns: number[] = [];
    for (let i = 0; i <= CONSOLE_SIGN_INS_PER_MINUTE; i++) {
      signIns.push((await signIn(i % 2 === 0 ? a : b)).statusCode);
    }
    assert.deepEqual(signIns, [...Array<number>(CONSOLE_SIGN_INS_PER_MINUTE).fill(401), 429]);

    const verify = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/verify',
        remoteAddress: '198.51.100.61',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ handle: 'alice', code: 'KJ-0000-0000' }).toString(),
      });
    const checks: number[] = [];
    for (let i = 0; i <= VERIFY_CHECKS_PER_MINUTE; i++) {
      checks.push((await verify(i % 2 === 0 ? a : b)).statusCode);
    }
    assert.deepEqual(checks, [...Array<number>(VERIFY_CHECKS_PER_MINUTE).fill(200), 429]);
  });

  it('keeps no secret or address in the table, only digests', async () => {
    const [a] = await twoReplicas();
    const { secret } = await insertApiKey(testDb.db, { name: 'digest', role: 'viewer' });
    await a.inject({
      url: '/v1/accounts',
      remoteAddress: '192.0.2.77',
      headers: { authorization: `Bearer ${secret}` },
    });
    const rows = await testDb.db.selectFrom('rate_limit_counters').select('bucket').execute();
    assert.equal(rows.length, 2, 'one per-address and one per-key bucket');
    for (const { bucket } of rows) {
      assert.match(bucket, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!bucket.includes('192.0.2.77') && !bucket.includes(secret));
    }
  });

  it('lets requests through when the counters cannot be reached, logging why', async () => {
    const [a] = await twoReplicas({ rateLimits: { perKey: 1, perAddress: 1 } });
    await testDb.db.schema.dropTable('rate_limit_counters').execute();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await a.inject({ url: '/v1/accounts', headers: { authorization: 'Bearer x' } }))
            .statusCode,
        );
      }
      assert.deepEqual(statuses, [401, 401, 401]);
    } finally {
      await createRateLimitCounters(testDb.db);
    }
  });
});
