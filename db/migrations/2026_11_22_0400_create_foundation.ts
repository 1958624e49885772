import { type Kysely, sql } from 'kysely';

// Migrations are frozen history: they use Kysely<any> and never import app code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('x_user_id', 'text')
    .addColumn('tier', 'text', (c) => c.notNull().defaultTo('self_serve'))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Tokyo'))
    .addColumn('dm_daily_cap', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    // AES-256-GCM envelope of the account's X credentials; never leaves activities.
    .addColumn('credentials_ciphertext', 'text')
    .addColumn('credentials_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('accounts_dm_daily_cap_range', sql`dm_daily_cap between 1 and 1440`)
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('api_keys_role', sql`role in ('admin', 'operator', 'approver', 'viewer')`)
    .execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text')
    .addColumn('workflow_run_id', 'text')
    .addColumn('preflight', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('campaigns_account_id')
    .on('campaigns')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb')
    .execute();
  await db.schema
    .createIndex('audit_log_campaign_id')
    .on('audit_log')
    .columns(['campaign_id', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('campaigns').execute();
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('accounts').execute();
}
