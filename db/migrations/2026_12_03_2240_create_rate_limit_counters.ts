import { type Kysely, sql } from 'kysely';

// The API's rate-limit counters (api/plugins/rate-limit.ts), one row per bucket (an API key's,
// a console session's or an address's, hashed) with its fixed window's end. In PostgreSQL, not in
// each process's memory, so N API replicas allow the configured limit, not N times it. Rows past
// their window are reset by the next hit and purged now and then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('bucket', 'text', (col) => col.primaryKey())
    .addColumn('hits', 'integer', (col) => col.notNull())
    .addColumn('window_ends_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('rate_limit_counters_window_ends_at')
    .on('rate_limit_counters')
    .column('window_ends_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
}
