import { type Kysely, sql } from 'kysely';

// The hex SHA-256 of the exact text a delivery sent (domain/verification.ts messageDigest), so
// /verify can tell a participant whether a message they were shown is the one Kuji sent, word for
// word. Null until sent, and for rows sent before this column existed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('text_digest', 'text').execute();
  // /verify reads one participant's sent texts, and finds participants by handle.
  await db.schema
    .createIndex('deliveries_sent_text_by_participant')
    .on('deliveries')
    .columns(['x_user_id', 'campaign_id'])
    .where(sql.ref('text_digest'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('entries_lower_username')
    .on('entries')
    .expression(sql`lower(username)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('entries_lower_username').execute();
  await db.schema.dropIndex('deliveries_sent_text_by_participant').execute();
  await db.schema.alterTable('deliveries').dropColumn('text_digest').execute();
}
