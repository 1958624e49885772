import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerBootstrapAdminKey } from '../../api/admin-key';
import { createDb } from '../../db/client';
import { findApiKeyBySecret } from '../../db/repositories/api-keys';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('the bootstrap admin key with several API replicas starting at once', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(() => testDb?.close());

  it('registers it once, and no replica fails its start', async () => {
    const secret = 'bootstrap-admin-key-0123456789abcdef';
    // Each replica has its own pool, as separate processes would.
    const pools = Array.from({ length: 4 }, () => createDb(testDb.url));
    try {
      const results = await Promise.allSettled(
        pools.map((db) => registerBootstrapAdminKey(db, secret)),
      );
      assert.deepEqual(
        results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
        ['ok', 'ok', 'ok', 'ok'],
      );
      const keys = await testDb.db.selectFrom('api_keys').select(['name', 'revoked_at']).execute();
      assert.deepEqual(keys, [{ name: 'admin', revoked_at: null }]);
      assert.equal((await findApiKeyBySecret(testDb.db, secret))?.role, 'admin');
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
    }
  });
});
