import type { Db } from '../client';

/** An X user an admin registered to receive a sender account's rehearsal DMs. */
export interface TestAccount {
  accountId: string;
  xUserId: string;
  label: string | null;
  addedBy: string;
  createdAt: Date;
}

const columns = [
  'account_id as accountId',
  'x_user_id as xUserId',
  'label',
  'added_by as addedBy',
  'created_at as createdAt',
] as const;

/** Registers a test account; an existing registration is returned unchanged (`created` false). */
export async function insertTestAccount(
  db: Db,
  input: { accountId: string; xUserId: string; label: string | null; addedBy: string },
): Promise<{ testAccount: TestAccount; created: boolean }> {
  const inserted = await db
    .insertInto('test_accounts')
    .values({
      account_id: input.accountId,
      x_user_id: input.xUserId,
      label: input.label,
      added_by: input.addedBy,
    })
    .onConflict((oc) => oc.columns(['account_id', 'x_user_id']).doNothing())
    .returning(columns)
    .executeTakeFirst();
  if (inserted) return { testAccount: inserted, created: true };
  const existing = await findTestAccount(db, input.accountId, input.xUserId);
  if (!existing) throw new Error(`test account ${input.xUserId} vanished`);
  return { testAccount: existing, created: false };
}

export async function findTestAccount(
  db: Db,
  accountId: string,
  xUserId: string,
): Promise<TestAccount | undefined> {
  return db
    .selectFrom('test_accounts')
    .select(columns)
    .where('account_id', '=', accountId)
    .where('x_user_id', '=', xUserId)
    .executeTakeFirst();
}

export async function countTestAccounts(db: Db, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('test_accounts')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listTestAccounts(
  db: Db,
  accountId: string,
  page: { limit: number; offset: number },
): Promise<TestAccount[]> {
  return db
    .selectFrom('test_accounts')
    .select(columns)
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('x_user_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function deleteTestAccount(
  db: Db,
  accountId: string,
  xUserId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('test_accounts')
    .where('account_id', '=', accountId)
    .where('x_user_id', '=', xUserId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Which of `xUserIds` are registered test accounts of the sender account. */
export async function findRegisteredTestAccountIds(
  db: Db,
  accountId: string,
  xUserIds: readonly string[],
): Promise<Set<string>> {
  if (xUserIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('test_accounts')
    .select('x_user_id')
    .where('account_id', '=', accountId)
    .where('x_user_id', 'in', [...xUserIds])
    .execute();
  return new Set(rows.map((row) => row.x_user_id));
}
