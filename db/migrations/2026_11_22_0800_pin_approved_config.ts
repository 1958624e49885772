import { type Kysely, sql } from 'kysely';

// Every stored configuration is kept by version, and a campaign's approval pins the version its
// preflight checked: what goes out is what was approved, even while a change waits for approval.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaign_config_versions')
    .addColumn('campaign_id', 'text', (col) =>
      col.notNull().references('campaigns.id').onDelete('cascade'),
    )
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('config', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('campaign_config_versions_pkey', ['campaign_id', 'version'])
    .execute();
  await sql`insert into campaign_config_versions (campaign_id, version, name, config)
            select id, config_version, name, config from campaigns`.execute(db);
  await db.schema.alterTable('campaigns').addColumn('approved_config_version', 'integer').execute();
  // A campaign past its approval runs on what it has now (a change waiting for approval puts it
  // back in awaiting_approval): pin that, so an unapproved change stored later cannot reach anyone.
  await sql`update campaigns set approved_config_version = config_version
            where phase in ('scheduled', 'collecting', 'drawing', 'delivering', 'analyzing')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('approved_config_version').execute();
  await db.schema.dropTable('campaign_config_versions').execute();
}
