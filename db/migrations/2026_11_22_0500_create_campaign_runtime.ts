import { type Kysely, sql } from 'kysely';

// Migrations are frozen history: they use Kysely<any> and never import app code, so the value
// lists in the check constraints are spelled out here rather than imported.
export async function up(db: Kysely<any>): Promise<void> {
  // Raw X activity, keyed by X's own ids so a webhook delivery and a later poll of the same
  // event land once.
  await db.schema
    .createTable('entry_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('x_event_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('x_user_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('text', 'text')
    .addColumn('occurred_at', 'timestamptz')
    .addColumn('received_via', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('entry_events_x_event', ['campaign_id', 'source', 'x_event_id'])
    .addCheckConstraint(
      'entry_events_source',
      sql`source in ('repost', 'follow', 'like', 'reply', 'quote', 'dm_keyword', 'mention')`,
    )
    .addCheckConstraint('entry_events_received_via', sql`received_via in ('poll', 'webhook')`)
    .execute();
  // The claim query walks only what is left to process, oldest first.
  await db.schema
    .createIndex('entry_events_unprocessed')
    .on('entry_events')
    .columns(['campaign_id', 'id'])
    .where(sql.ref('processed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('entries')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('x_user_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('consent_basis', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('eligible', 'boolean')
    .addColumn('reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('prize_id', 'text')
    .addColumn('prize_code', 'text')
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('entries_pkey', ['campaign_id', 'x_user_id'])
    .addCheckConstraint(
      'entries_consent_basis',
      sql`consent_basis in ('dm_opt_in', 'summoned', 'none')`,
    )
    .addCheckConstraint(
      'entries_outcome',
      sql`outcome in ('pending', 'won', 'lost', 'alternate', 'ineligible')`,
    )
    .addCheckConstraint('entries_reasons_array', sql`jsonb_typeof(reasons) = 'array'`)
    .execute();
  await db.schema
    .createIndex('entries_campaign_outcome')
    .on('entries')
    .columns(['campaign_id', 'outcome'])
    .execute();

  await db.schema
    .createTable('prizes')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('prize_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value_yen', 'integer', (c) => c.notNull())
    .addColumn('stock_total', 'integer', (c) => c.notNull())
    .addColumn('stock_remaining', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('prizes_pkey', ['campaign_id', 'prize_id'])
    // The database, not the caller, guarantees a prize is never handed out beyond its stock.
    .addCheckConstraint(
      'prizes_stock_remaining_range',
      sql`stock_remaining >= 0 and stock_remaining <= stock_total`,
    )
    .execute();

  await db.schema
    .createTable('prize_codes')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('prize_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('assigned_x_user_id', 'text')
    .addColumn('assigned_at', 'timestamptz')
    .addPrimaryKeyConstraint('prize_codes_pkey', ['campaign_id', 'prize_id', 'code'])
    .addForeignKeyConstraint(
      'prize_codes_prize',
      ['campaign_id', 'prize_id'],
      'prizes',
      ['campaign_id', 'prize_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // One code per winner per prize, whatever the callers do.
  await db.schema
    .createIndex('prize_codes_one_per_user')
    .on('prize_codes')
    .columns(['campaign_id', 'prize_id', 'assigned_x_user_id'])
    .unique()
    .where(sql.ref('assigned_x_user_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('x_user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('channel_reason', 'jsonb')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('error_category', 'text')
    .addColumn('error_reason', 'jsonb')
    .addColumn('error_remedy', 'jsonb')
    .addColumn('x_event_id', 'text')
    .addColumn('x_conversation_id', 'text')
    .addColumn('window_day', 'text')
    .addColumn('eta', 'timestamptz')
    .addColumn('reply_to_tweet_id', 'text')
    .addColumn('sending_started_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('deliveries_kind', sql`kind in ('win', 'lose', 'follow_up', 'rehearsal')`)
    .addCheckConstraint('deliveries_channel', sql`channel in ('dm', 'reply', 'result_page')`)
    .addCheckConstraint(
      'deliveries_state',
      sql`state in ('queued', 'reserved', 'sending', 'sent', 'failed', 'skipped')`,
    )
    .execute();
  await db.schema
    .createIndex('deliveries_campaign_state')
    .on('deliveries')
    .columns(['campaign_id', 'state'])
    .execute();
  await db.schema
    .createIndex('deliveries_account_state')
    .on('deliveries')
    .columns(['account_id', 'state'])
    .execute();

  // The DM quota ledger is per X account and local day, shared by all the account's campaigns.
  await db.schema
    .createTable('dm_quota_days')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('day_key', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cap', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dm_quota_days_pkey', ['account_id', 'day_key'])
    .addCheckConstraint('dm_quota_days_day_key', sql`day_key ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`)
    .addCheckConstraint('dm_quota_days_counts', sql`used >= 0 and cap >= 0`)
    .execute();

  await db.schema
    .createTable('dm_quota_slots')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('day_key', 'text', (c) => c.notNull())
    .addColumn('reserved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('dm_quota_slots_pkey', ['account_id', 'delivery_id'])
    .addForeignKeyConstraint('dm_quota_slots_day', ['account_id', 'day_key'], 'dm_quota_days', [
      'account_id',
      'day_key',
    ])
    .execute();
  await db.schema
    .createIndex('dm_quota_slots_day')
    .on('dm_quota_slots')
    .columns(['account_id', 'day_key'])
    .execute();

  await db.schema
    .createTable('draws')
    .addColumn('campaign_id', 'text', (c) => c.primaryKey())
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('entry_count', 'integer', (c) => c.notNull())
    .addColumn('winners', 'jsonb', (c) => c.notNull())
    .addColumn('alternates', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('reports')
    .addColumn('campaign_id', 'text', (c) => c.primaryKey())
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reports').execute();
  await db.schema.dropTable('draws').execute();
  await db.schema.dropTable('dm_quota_slots').execute();
  await db.schema.dropTable('dm_quota_days').execute();
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('prize_codes').execute();
  await db.schema.dropTable('prizes').execute();
  await db.schema.dropTable('entries').execute();
  await db.schema.dropTable('entry_events').execute();
}
