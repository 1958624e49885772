import type { Db } from '../client';
import type { ApiKeyPrincipal } from './api-keys';

export interface ConsoleSession {
  principal: ApiKeyPrincipal;
  expiresAt: Date;
}

/** Stores a new session under its token's hash, for the API key that signed in. */
export async function insertConsoleSession(
  db: Db,
  session: { tokenHash: string; apiKeyId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({
      token_hash: session.tokenHash,
      api_key_id: session.apiKeyId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      ended_at: null,
    })
    .execute();
}

/**
 * The session whose token hashes to `tokenHash`, with the API key it was signed in with, while it
 * lives: not signed out, not expired, and its key not revoked.
 */
export async function findLiveConsoleSession(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<ConsoleSession | undefined> {
  const row = await db
    .selectFrom('console_sessions as s')
    .innerJoin('api_keys as k', 'k.id', 's.api_key_id')
    .select(['k.id', 'k.name', 'k.role', 's.expires_at as expiresAt'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.ended_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { principal: { id: row.id, name: row.name, role: row.role }, expiresAt: row.expiresAt };
}

/** Signs a session out; false when it was already ended (or never existed). */
export async function revokeConsoleSession(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('console_sessions')
    .set({ ended_at: now })
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Forgets sessions past their expiry (signed out or not); returns how many. */
export async function deleteExpiredConsoleSessions(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('console_sessions')
    .where('expires_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
