import type { Kysely } from 'kysely';

// A participant's sign-in is bound to the browser that started it, not only to the campaign: the
// start sets a short-lived cookie holding a random nonce and the state keeps the nonce's SHA-256
// (hex). The callback signs in only a browser presenting it, so a callback link started by
// someone else cannot plant their session (login CSRF). Null for sender-account links, which an
// admin starts through the API.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oauth_states').addColumn('browser_nonce_hash', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oauth_states').dropColumn('browser_nonce_hash').execute();
}
