import { type Kysely, sql } from 'kysely';

// X may deliver an event more than once (retries, replay jobs): its event_uuid is remembered so a
// replayed delivery changes nothing. A revocation is weighed against when the credentials it would
// clear were linked, so a replayed revoke never clears credentials linked after it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_events')
    .addColumn('event_uuid', 'text', (col) => col.primaryKey())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('credentials_linked_at', 'timestamptz')
    .execute();
  await sql`update accounts set credentials_linked_at = updated_at
            where credentials_ciphertext is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('credentials_linked_at').execute();
  await db.schema.dropTable('webhook_events').execute();
}
