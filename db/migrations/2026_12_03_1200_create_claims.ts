import { type Kysely, sql } from 'kysely';

// One row per prize awarded to a person who must claim it (issue #12): drawn winners, instant
// winners and promoted alternates of a campaign with a `claim` section. The state moves
// open → claimed or open → forfeited exactly once; an open claim past its deadline is forfeited
// in one statement, so a claim that lands first stays claimed. The form's answers are sealed
// (AES-256-GCM under the deployment's encryption key) and purged after the retention period.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('claims')
    .addColumn('campaign_id', 'text', (col) =>
      col.notNull().references('campaigns.id').onDelete('cascade'),
    )
    .addColumn('x_user_id', 'text', (col) => col.notNull())
    .addColumn('prize_id', 'text')
    .addColumn('state', 'text', (col) =>
      col
        .notNull()
        .defaultTo('open')
        .check(sql`state in ('open', 'claimed', 'forfeited')`),
    )
    .addColumn('opened_at', 'timestamptz', (col) => col.notNull())
    .addColumn('deadline_at', 'timestamptz', (col) => col.notNull())
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('forfeited_at', 'timestamptz')
    .addColumn('promoted_at', 'timestamptz')
    .addColumn('replaces_x_user_id', 'text')
    .addColumn('data_sealed', 'text')
    .addColumn('data_purged_at', 'timestamptz')
    .addPrimaryKeyConstraint('claims_pkey', ['campaign_id', 'x_user_id'])
    .execute();
  // The claiming loop looks for the open claims of a campaign and the next deadline.
  await db.schema
    .createIndex('claims_open_deadline_idx')
    .on('claims')
    .columns(['campaign_id', 'deadline_at'])
    .where(sql.ref('state'), '=', 'open')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('claims').execute();
}
