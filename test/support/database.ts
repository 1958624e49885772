/**
 * A fresh, migrated database per test file on a real PostgreSQL: the suite's shared cluster
 * (KUJI_TEST_DATABASE_URL, set by scripts/test.ts), DATABASE_URL, or an embedded cluster of the
 * file's own when a single file is run by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { type RunningPostgres, startEmbeddedPostgres } from '../../scripts/lib/postgres';

export interface TestDatabase {
  db: Db;
  url: string;
  /** Empties every application table (migrations stay). */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function startOwnPostgres(): Promise<RunningPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kuji-pg-'));
  chmodSync(dir, 0o777);
  return startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), persistent: false });
}

export async function createTestDatabase(): Promise<TestDatabase> {
  let own: RunningPostgres | undefined;
  let serverUrl = process.env.KUJI_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!serverUrl) {
    own = await startOwnPostgres();
    serverUrl = own.url;
  }
  const name = `kuji_test_${randomBytes(6).toString('hex')}`;
  const admin = createDb(serverUrl, { max: 1 });
  await sql`create database ${sql.id(name)}`.execute(admin);
  await admin.destroy();

  const url = withDatabase(serverUrl, name);
  const db = createDb(url);
  await migrateToLatest(db);
  return {
    db,
    url,
    async truncate() {
      const tables = await db.introspection.getTables();
      const names = tables.map((t) => t.name).filter((t) => !t.startsWith('kysely_'));
      if (names.length > 0) {
        await sql`truncate ${sql.join(names.map((t) => sql.id(t)))} restart identity cascade`.execute(
          db,
        );
      }
    },
    async close() {
      await db.destroy();
      const dropper = createDb(serverUrl, { max: 1 });
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(dropper);
      await dropper.destroy();
      await own?.stop();
    },
  };
}
