import { type Kysely, sql } from 'kysely';

// Rehearsal DMs go out under the brand's name before anyone approved the campaign, so they may
// reach only X users an admin registered as test accounts of that sender account; a campaign's
// `testAccounts` must be among them (preflight refuses the others).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_accounts')
    .addColumn('account_id', 'text', (col) =>
      col.notNull().references('accounts.id').onDelete('cascade'),
    )
    .addColumn('x_user_id', 'text', (col) => col.notNull())
    .addColumn('label', 'text')
    .addColumn('added_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('test_accounts_pkey', ['account_id', 'x_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('test_accounts').execute();
}
