import { type Kysely, sql } from 'kysely';

// One row per console sign-in: the session token's SHA-256 (the token itself lives only in the
// browser's HttpOnly cookie), the API key it was signed in with, and a fixed expiry. The key is
// joined on every request, so revoking it ends its sessions; sign-out sets `ended_at`. Rows in
// PostgreSQL, never in memory, so any API replica accepts the cookie.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('token_hash', 'text', (col) => col.primaryKey())
    .addColumn('api_key_id', 'text', (col) =>
      col.notNull().references('api_keys.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('console_sessions_expires_at')
    .on('console_sessions')
    .column('expires_at')
    .execute();
  await db.schema
    .createIndex('console_sessions_api_key_id')
    .on('console_sessions')
    .column('api_key_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('console_sessions').execute();
}
