import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';

// int8 (bigserial ids, count(*)) as strings would surprise callers for counts; keep ids textual
// but parse counts explicitly where they are read.
export function createDb(
  connectionString: string,
  options: { max?: number; onIdleError?: (error: Error) => void } = {},
): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client's error (e.g. the server shutting down) must not crash the process; the next
  // query gets a fresh connection or a proper error.
  pool.on('error', (error) => {
    options.onIdleError?.(error);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export type Db = Kysely<Database>;

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
