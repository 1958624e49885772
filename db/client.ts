import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';

// int8 (bigserial ids, count(*)) as strings would surprise callers for counts; keep ids textual
// but parse counts explicitly where they are read.
export function createDb(
  connectionString: string,
  options: { max?: number } = {},
): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export type Db = Kysely<Database>;
