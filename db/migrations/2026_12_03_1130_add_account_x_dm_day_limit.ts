import type { Kysely } from 'kysely';

// The DM limit per 24 hours X last reported for the sender (`x-user-limit-24hour-limit` on a DM
// send): the daily cap applied is never above it (domain/quota.ts). Null until X has said.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('x_dm_day_limit', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('x_dm_day_limit').execute();
}
