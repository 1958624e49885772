import { type Kysely, sql } from 'kysely';

// What X said about a campaign's participant (profile flags, follows), stored as each answer
// arrives and outside the transaction that decides entries: a batch cut short by X's rate
// window or a timeout keeps every answer it paid for, and the next batch goes on from there.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('participant_facts')
    .addColumn('campaign_id', 'text', (col) => col.notNull())
    .addColumn('x_user_id', 'text', (col) => col.notNull())
    .addColumn('profile', 'jsonb')
    .addColumn('profile_checked_at', 'timestamptz')
    .addColumn('follows', 'jsonb')
    .addColumn('follows_checked_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('participant_facts_pkey', ['campaign_id', 'x_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('participant_facts').execute();
}
