import { type Kysely, sql } from 'kysely';

// X calls back to one registered URL for two flows: an admin linking a sender account, and a
// participant signing in on a campaign's page to see their result. Each state now says which it
// started (`purpose`) and what it is bound to: a sender account, or a campaign.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('oauth_states')
    .addColumn('purpose', 'text', (col) => col.notNull().defaultTo('account_link'))
    .addColumn('campaign_id', 'text', (col) => col.references('campaigns.id').onDelete('cascade'))
    .execute();
  await db.schema
    .alterTable('oauth_states')
    .alterColumn('account_id', (col) => col.dropNotNull())
    .execute();
  await sql`
    alter table oauth_states add constraint oauth_states_purpose_binding check (
      (purpose = 'account_link' and account_id is not null and campaign_id is null)
      or (purpose = 'participant_signin' and campaign_id is not null and account_id is null)
    )
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from oauth_states where purpose <> 'account_link'`.execute(db);
  await sql`alter table oauth_states drop constraint oauth_states_purpose_binding`.execute(db);
  await db.schema
    .alterTable('oauth_states')
    .alterColumn('account_id', (col) => col.setNotNull())
    .dropColumn('campaign_id')
    .dropColumn('purpose')
    .execute();
}
