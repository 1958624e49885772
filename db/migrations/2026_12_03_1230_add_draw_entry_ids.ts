import type { Kysely } from 'kysely';

// The X user ids the draw ran over (sorted, as the digest hashes them), stored with the draw so
// the published entries.txt is the draw's own list: outcomes changed after the draw (an
// alternate judged ineligible, a promotion) no longer change what is published. Null for draws
// stored before this column existed; their list is rebuilt from the entries' outcomes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('draws').addColumn('entry_ids', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('draws').dropColumn('entry_ids').execute();
}
