import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../client';
import type { ApiRole } from '../database';

export interface ApiKeyPrincipal {
  id: string;
  name: string;
  role: ApiRole;
}

const KEY_PREFIX = 'kuji_';

/** API keys carry 256 bits of entropy, so a plain SHA-256 is a sound at-rest hash. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export async function insertApiKey(
  db: Db,
  key: { name: string; role: ApiRole; secret?: string },
): Promise<{ principal: ApiKeyPrincipal; secret: string }> {
  const secret = key.secret ?? generateApiKeySecret();
  const id = `key_${randomBytes(8).toString('hex')}`;
  await db
    .insertInto('api_keys')
    .values({
      id,
      name: key.name,
      role: key.role,
      key_hash: hashApiKey(secret),
      key_prefix: secret.slice(0, 9),
      revoked_at: null,
    })
    .execute();
  return { principal: { id, name: key.name, role: key.role }, secret };
}

/** Makes sure a known secret (e.g. KUJI_ADMIN_KEY) is registered; idempotent. */
export async function ensureApiKey(
  db: Db,
  key: { name: string; role: ApiRole; secret: string },
): Promise<void> {
  const existing = await findApiKeyBySecret(db, key.secret);
  if (!existing) await insertApiKey(db, key);
}

export async function findApiKeyBySecret(
  db: Db,
  secret: string,
): Promise<ApiKeyPrincipal | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role'])
    .where('key_hash', '=', hashApiKey(secret))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row;
}

export async function listApiKeys(db: Db) {
  return db
    .selectFrom('api_keys')
    .select([
      'id',
      'name',
      'role',
      'key_prefix as keyPrefix',
      'created_at as createdAt',
      'revoked_at as revokedAt',
    ])
    .orderBy('created_at')
    .execute();
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
