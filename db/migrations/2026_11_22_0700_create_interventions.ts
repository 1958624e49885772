import { type Kysely, sql } from 'kysely';

/**
 * People in the loop: interventions (a stop that waits for a person, and how it ended), an
 * account-wide sending halt, and the links from follow-up and resend deliveries to their cause.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('interventions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('campaign_id', 'text', (col) => col.references('campaigns.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (col) => col.references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('open'))
    // One open intervention per cause: a second report of the same thing finds the first.
    .addColumn('dedupe_key', 'text', (col) => col.notNull())
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('opened_by', 'text', (col) => col.notNull())
    .addColumn('opened_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('resolution', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolution_details', 'jsonb')
    .execute();
  await sql`
    create unique index interventions_open_once
      on interventions (coalesce(campaign_id, ''), kind, dedupe_key)
      where status = 'open'
  `.execute(db);
  await db.schema
    .createIndex('interventions_by_campaign')
    .on('interventions')
    .columns(['campaign_id', 'status'])
    .execute();

  await db.schema
    .alterTable('accounts')
    .addColumn('halt', 'jsonb')
    .addColumn('halted_at', 'timestamptz')
    .execute();

  await db.schema
    .alterTable('deliveries')
    .addColumn('intervention_id', 'text', (col) =>
      col.references('interventions.id').onDelete('set null'),
    )
    .addColumn('resend_of', 'text')
    .addColumn('body', 'text')
    .execute();

  await db.schema
    .alterTable('campaigns')
    .addColumn('config_version', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('config_version').execute();
  await db.schema
    .alterTable('deliveries')
    .dropColumn('intervention_id')
    .dropColumn('resend_of')
    .dropColumn('body')
    .execute();
  await db.schema.alterTable('accounts').dropColumn('halt').dropColumn('halted_at').execute();
  await db.schema.dropTable('interventions').execute();
}
