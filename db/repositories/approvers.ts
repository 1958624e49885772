import type { Db } from '../client';

/**
 * The active API key with id `keyId` that may approve (role approver or admin), or undefined.
 * Identity is the key id: names are for display. A signal typed in the Temporal Web UI or CLI
 * names a key id, and only a live approver key counts.
 */
export async function findActiveApprover(
  db: Db,
  keyId: string,
): Promise<{ id: string; name: string; role: string } | undefined> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role'])
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .where('role', 'in', ['approver', 'admin'])
    .executeTakeFirst();
}
