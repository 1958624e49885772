import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDb } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('createDb: a connection that dies', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(() => testDb?.close());

  it('held in a transaction (a server restart): the transaction fails, the process lives, the next query gets a new connection', async () => {
    const told: Error[] = [];
    const db = createDb(testDb.url, { onConnectionError: (error) => told.push(error) });
    try {
      const failed = await db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          // Another session ends this one while Kysely holds its client between statements:
          // pg emits 'error' on that client, which without a listener is an uncaught exception.
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(testDb.db);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`select 1`.execute(trx);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      assert.ok(failed instanceof Error, 'the transaction on the dead connection fails');
      assert.ok(told.length >= 1, 'the dead connection is told to onConnectionError');
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      assert.equal(rows[0]!.one, 1);
    } finally {
      await db.destroy();
    }
  });

  it('idle in the pool: told once, and the next query gets a new connection', async () => {
    const told: Error[] = [];
    const db = createDb(testDb.url, { max: 1, onConnectionError: (error) => told.push(error) });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(testDb.db);
      const deadline = Date.now() + 5_000;
      while (told.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(told.length, 1, 'told once, not by both the client and the pool');
      const again = await sql<{ one: number }>`select 1 as one`.execute(db);
      assert.equal(again.rows[0]!.one, 1);
    } finally {
      await db.destroy();
    }
  });
});
