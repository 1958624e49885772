import type { Kysely } from 'kysely';

// A sender account is created as a shell before it is linked to X: operators name it, and the
// handle X reports replaces a provisional one when the link is made.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('display_name', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('display_name').execute();
}
