import { type Kysely, sql } from 'kysely';

// What Kuji's own X calls cost (docs/x-costs.md). `x_api_usage`: one row per billed call, with
// the units X charges for (resources a read returned, one per accepted write) and the campaign
// whose workflow made it (null outside a campaign). A write carries X's id of what it created,
// unique per kind, so counting the same DM or reply twice (a retry that finds the copy X already
// holds) adds nothing. `x_api_read_days`: the resources read per UTC day, because X charges a
// resource once per UTC day however often it is read; old days are purged as new ones come.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('x_api_usage')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('campaign_id', 'text')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('units', 'integer', (col) => col.notNull().check(sql`units > 0`))
    .addColumn('x_object_id', 'text')
    .addColumn('counted_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('x_api_usage_campaign_kind')
    .on('x_api_usage')
    .columns(['campaign_id', 'kind'])
    .execute();
  await db.schema
    .createIndex('x_api_usage_write_once')
    .on('x_api_usage')
    .columns(['kind', 'x_object_id'])
    .unique()
    .where(sql.ref('x_object_id'), 'is not', null)
    .execute();
  await db.schema
    .createTable('x_api_read_days')
    .addColumn('utc_day', 'date', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('resource_id', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('x_api_read_days_pkey', ['utc_day', 'kind', 'resource_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('x_api_read_days').execute();
  await db.schema.dropTable('x_api_usage').execute();
}
