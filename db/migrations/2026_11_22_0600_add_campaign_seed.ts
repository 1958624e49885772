import type { Kysely } from 'kysely';

// The secret seed of a campaign's instant-win rolls: generated once, published after the end.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').addColumn('secret_seed', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('secret_seed').execute();
}
