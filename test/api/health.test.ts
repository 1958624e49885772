import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApp } from '../../api/app';
import { createDb } from '../../db/client';
import { findFreePort } from '../../scripts/lib/postgres';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createDevServerEnv } from '../support/temporal';

interface Health {
  status: string;
  down: string[];
  checks: Record<string, { ok: boolean; error?: string }>;
}

describe('GET /healthz in the API document', () => {
  it('is documented as needing no key', async () => {
    const testDb = await createTestDatabase();
    const app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    try {
      const doc = (await app.inject({ url: '/docs/json' })).json<{
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      }>();
      assert.deepEqual(doc.paths['/healthz']?.get?.security, []);
    } finally {
      await app.close();
      await testDb.close();
    }
  });
});

describe('GET /healthz with a dependency down', () => {
  let testDb: TestDatabase;
  let deadTemporal: Connection;
  let deadPort: number;

  let devEnv: TestWorkflowEnvironment;

  before(async () => {
    [testDb, devEnv] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
    deadPort = await findFreePort();
    deadTemporal = Connection.lazy({ address: `127.0.0.1:${deadPort}`, connectTimeout: 500 });
  });
  after(async () => {
    // Not closed: the client may still have a retry of the dead probe scheduled, and closing
    // under it throws "Channel has been shut down" from a timer. It holds no server resources.
    await devEnv.teardown();
    await testDb.close();
  });

  it('answers 503 naming Temporal when the Temporal server is unreachable', async () => {
    const app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: deadTemporal }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    try {
      const response = await app.inject({ url: '/healthz' });
      assert.equal(response.statusCode, 503);
      const body = response.json<Health>();
      assert.equal(body.status, 'degraded');
      assert.equal(body.checks.database?.ok, true);
      assert.equal(body.checks.temporal?.ok, false);
      assert.deepEqual(body.down, ['temporal']);
      assert.ok(
        ['no_answer', 'failed'].includes(body.checks.temporal?.error ?? ''),
        'the failing check says why, as a stable code',
      );
      // No raw error text for anyone without a key: not the address, not the client's message.
      assert.doesNotMatch(response.body, new RegExp(`${deadPort}|127\\.0\\.0\\.1|ECONNREFUSED`));
    } finally {
      await app.close();
    }
  });

  it('answers 503 naming the database when PostgreSQL is unreachable', async () => {
    const deadDb = createDb(`postgres://postgres:x@127.0.0.1:${deadPort}/postgres`);
    const app = await buildApp({
      db: deadDb,
      temporal: devEnv.client,
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    try {
      const response = await app.inject({ url: '/healthz' });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json<Health>().checks.database?.ok, false);
      assert.equal(response.json<Health>().checks.temporal?.ok, true);
      assert.deepEqual(response.json<Health>().down, ['database']);
      assert.doesNotMatch(
        response.body,
        new RegExp(`${deadPort}|127\\.0\\.0\\.1|ECONNREFUSED|postgres:x`),
      );
    } finally {
      await app.close();
      await deadDb.destroy();
    }
  });
});
