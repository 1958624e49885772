import type { Db } from '../../db/client';
import { insertTestAccount } from '../../db/repositories/test-accounts';

/** Registers X users as the sender account's test accounts, as an admin does before a rehearsal. */
export async function registerTestAccounts(
  db: Db,
  accountId: string,
  xUserIds: readonly string[],
): Promise<void> {
  for (const xUserId of xUserIds) {
    await insertTestAccount(db, { accountId, xUserId, label: null, addedBy: 'admin' });
  }
}
