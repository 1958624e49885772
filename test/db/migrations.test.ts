import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('db migrations', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.close();
  });

  it('creates the foundation tables', async () => {
    const tables = (await testDb.db.introspection.getTables()).map((t) => t.name);
    for (const table of ['accounts', 'api_keys', 'campaigns', 'audit_log']) {
      assert.ok(tables.includes(table), `missing table ${table}`);
    }
  });

  it('is idempotent: a second run applies nothing', async () => {
    assert.deepEqual(await migrateToLatest(testDb.db), []);
  });

  it('refuses an api key with an unknown role', async () => {
    await assert.rejects(
      sql`insert into api_keys (id, name, role, key_hash, key_prefix) values ('k', 'n', 'root', 'h', 'p')`.execute(
        testDb.db,
      ),
      /api_keys_role/,
    );
  });
});
