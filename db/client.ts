import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';

// int8 (bigserial ids, count(*)) as strings would surprise callers for counts; keep ids textual
// but parse counts explicitly where they are read.
export function createDb(
  connectionString: string,
  options: {
    max?: number;
    /** A connection died outside a query (e.g. the server restarting); told, never thrown. */
    onConnectionError?: (error: Error) => void;
  } = {},
): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  const told = (error: Error) => options.onConnectionError?.(error);
  // A dying connection is emitted as an 'error' event, which crashes the process when nobody
  // listens. The pool listens only while a client sits idle in it; a client that Kysely holds
  // (in a transaction, between statements) needs a listener of its own. Its query in flight is
  // rejected either way, and the pool replaces the dead client.
  pool.on('connect', (client) => client.on('error', told));
  // The pool re-emits an idle client's error, which the client's own listener has told already.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export type Db = Kysely<Database>;

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
