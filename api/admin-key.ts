/**
 * The first admin of a deployment: `KUJI_ADMIN_KEY`, registered (as its SHA-256 hash, like every
 * key) when the API starts, so a fresh compose stack has an admin without anyone writing SQL.
 * Idempotent; a changed secret revokes the previous `admin` key and takes its name.
 */
import type { Db } from '../db/client';
import { ensureApiKey } from '../db/repositories/api-keys';

/** The name the bootstrap admin key carries (reserved: nobody can create another key so named). */
export const bootstrapAdminKeyName = 'admin';

/** Registers `secret` as the bootstrap admin key; does nothing when it is not configured. */
export async function registerBootstrapAdminKey(
  db: Db,
  secret: string | undefined,
): Promise<boolean> {
  if (!secret) return false;
  await ensureApiKey(db, { name: bootstrapAdminKeyName, role: 'admin', secret });
  return true;
}
