import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { createDb } from '../../db/client';
import { findFreePort } from '../../scripts/lib/postgres';

describe('GET /livez', () => {
  it('answers 200 with PostgreSQL and Temporal both unreachable, past any rate limit', async () => {
    const deadPort = await findFreePort();
    const db = createDb(`postgres://kuji:kuji@127.0.0.1:${deadPort}/kuji`);
    const app = await buildApp({
      db,
      temporal: new Client({ connection: Connection.lazy({ address: `127.0.0.1:${deadPort}` }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      rateLimits: { perKey: 1, perAddress: 1 },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await app.inject({ url: '/livez' });
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), { status: 'ok' });
      }
      const doc = (await app.inject({ url: '/docs/json' })).json<{
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      }>();
      assert.deepEqual(doc.paths['/livez']?.get?.security, []);
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
