import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type Db, inTransaction } from '../client';
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

/** An active key already has this name (names are unique, case-insensitively, until revoked). */
export class ApiKeyNameTakenError extends Error {
  constructor(readonly keyName: string) {
    super(`an active API key is already named '${keyName}'`);
    this.name = 'ApiKeyNameTakenError';
  }
}

const uniqueViolation = '23505';

/** Inserts a key; throws ApiKeyNameTakenError when an active key has the same name. */
export async function insertApiKey(
  db: Db,
  key: { name: string; role: ApiRole; secret?: string; id?: string },
): Promise<{ principal: ApiKeyPrincipal; secret: string }> {
  const secret = key.secret ?? generateApiKeySecret();
  // The key's id is who its holder is (audit log, approvals, authorship); random unless given.
  const id = key.id ?? `key_${randomBytes(8).toString('hex')}`;
  const inserted = await db
    .insertInto('api_keys')
    .values({
      id,
      name: key.name,
      role: key.role,
      key_hash: hashApiKey(secret),
      key_prefix: secret.slice(0, 9),
      revoked_at: null,
    })
    .onConflict((oc) =>
      oc
        .expression(sql`lower(name)`)
        .where('revoked_at', 'is', null)
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst()
    .catch((error: unknown) => {
      // A concurrent insert of the same name surfaces as the index's violation.
      if ((error as { code?: string }).code === uniqueViolation) return undefined;
      throw error;
    });
  if (!inserted) throw new ApiKeyNameTakenError(key.name);
  return { principal: { id, name: key.name, role: key.role }, secret };
}

/**
 * Makes sure a known secret (e.g. KUJI_ADMIN_KEY) is registered; idempotent. A new secret under
 * a known name is a rotation: the active key of that name is revoked and the new one takes it.
 */
export async function ensureApiKey(
  db: Db,
  key: { name: string; role: ApiRole; secret: string },
): Promise<void> {
  const existing = await findApiKeyBySecret(db, key.secret);
  if (existing) return;
  await inTransaction(db, async (trx) => {
    // API replicas starting together: one registers, the others find its key after the lock.
    await sql`select pg_advisory_xact_lock(hashtext(${`kuji:ensure-api-key:${key.name}`}))`.execute(
      trx,
    );
    if (await findApiKeyBySecret(trx, key.secret)) return;
    await trx
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where(sql<boolean>`lower(name) = lower(${key.name})`)
      .where('revoked_at', 'is', null)
      .execute();
    await insertApiKey(trx, key);
  });
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

export async function listApiKeys(db: Db, page: { limit: number; offset: number }) {
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
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
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
