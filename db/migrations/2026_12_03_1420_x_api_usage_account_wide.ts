import { type Kysely, sql } from 'kysely';

// Reads of what belongs to the whole X account, not to one campaign (docs/x-costs.md): the
// account's DM inbox (GET /2/dm_events, every conversation) and its mentions. Any campaign
// polling on the account may read them first in a UTC day, so they are kept apart
// (`account_wide`) and never counted against that campaign's budget. `campaign_id` still names
// the campaign whose workflow made the read, so the report can say what its polling read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('x_api_usage')
    .addColumn('account_wide', 'boolean', (col) => col.notNull().defaultTo(sql`false`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('x_api_usage').dropColumn('account_wide').execute();
}
