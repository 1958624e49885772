import { type Kysely, sql } from 'kysely';

// What the entry watch of a campaign has done so far: X's list cursors (the reply search's
// since_id), when X's lists were last read, and when the webhook subscription was last checked
// and last found armed. The watch runs as an activity retried by its retry policy, so what one
// attempt learnt must outlive it: kept here, not passed in and out through workflow history.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaign_watch')
    .addColumn('campaign_id', 'text', (col) =>
      col.primaryKey().references('campaigns.id').onDelete('cascade'),
    )
    .addColumn('cursors', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('polled_at', 'timestamptz')
    .addColumn('armed_checked_at', 'timestamptz')
    .addColumn('last_armed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('campaign_watch').execute();
}
