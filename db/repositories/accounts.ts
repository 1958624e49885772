import { sql } from 'kysely';
import type { Db } from '../client';
import type { AccountHaltJson, AccountRow } from '../database';

/** A sender account as the rest of Kuji sees it: credentials never leave the credentials module. */
export interface Account {
  id: string;
  handle: string;
  displayName: string | null;
  xUserId: string | null;
  tier: string;
  timezone: string;
  dmDailyCap: number;
  /** X's DM limit per 24 hours as it last reported it on a send; null until it has. */
  xDmDayLimit: number | null;
  status: string;
  linked: boolean;
  /** Sending is halted for every campaign on the account until a person resumes it. */
  halt: AccountHaltJson | null;
  haltedAt: Date | null;
  createdAt: Date;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    xUserId: row.x_user_id,
    tier: row.tier,
    timezone: row.timezone,
    dmDailyCap: row.dm_daily_cap,
    xDmDayLimit: row.x_dm_day_limit,
    status: row.status,
    linked: row.credentials_ciphertext !== null,
    halt: row.halt,
    haltedAt: row.halted_at,
    createdAt: row.created_at,
  };
}

export async function insertAccount(
  db: Db,
  account: {
    id: string;
    handle: string;
    displayName?: string | null;
    xUserId?: string | null;
    tier?: string;
    timezone?: string;
    dmDailyCap?: number;
  },
): Promise<Account | undefined> {
  const row = await db
    .insertInto('accounts')
    .values({
      id: account.id,
      handle: account.handle,
      display_name: account.displayName ?? null,
      x_user_id: account.xUserId ?? null,
      credentials_ciphertext: null,
      ...(account.tier ? { tier: account.tier } : {}),
      ...(account.timezone ? { timezone: account.timezone } : {}),
      ...(account.dmDailyCap ? { dm_daily_cap: account.dmDailyCap } : {}),
    })
    // The id or the handle (unique case-insensitively) already taken: the caller answers 409.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function findAccountById(db: Db, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function listAccounts(
  db: Db,
  page: { limit: number; offset: number } = { limit: 1000, offset: 0 },
): Promise<Account[]> {
  return (
    await db
      .selectFrom('accounts')
      .selectAll()
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute()
  ).map(toAccount);
}

/** Halts sending on the account (first cause wins); every campaign's next send sees it. */
export async function haltAccount(db: Db, id: string, halt: AccountHaltJson): Promise<boolean> {
  // Lost authorisation also disconnects the account: only a new link (then a person) restores it.
  if (halt.category === 'auth') await markAccountDisconnected(db, id);
  const result = await db
    .updateTable('accounts')
    .set({ halt: JSON.stringify(halt), halted_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('halt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A person resumed the account's sending. Returns whether it was halted. */
export async function clearAccountHalt(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('accounts')
    .set({ halt: null, halted_at: null, updated_at: new Date() })
    .where('id', '=', id)
    .where('halt', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records who the account is on X after a link: handle and user id as X answered them, and the
 * account connected again. A handle another account holds answers false and changes nothing.
 */
export async function recordAccountLink(
  db: Db,
  id: string,
  linked: { handle: string; xUserId: string },
): Promise<boolean> {
  const taken = await db
    .selectFrom('accounts')
    .select('id')
    .where('id', '!=', id)
    .where(sql<boolean>`lower(handle) = lower(${linked.handle})`)
    .executeTakeFirst();
  if (taken) return false;
  await db
    .updateTable('accounts')
    .set({
      handle: linked.handle,
      x_user_id: linked.xUserId,
      status: 'active',
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  return true;
}

/** Remembers the DM limit per 24 hours X reported on a send (`x-user-limit-24hour-limit`). */
export async function recordXDmDayLimit(db: Db, id: string, limit: number): Promise<void> {
  if (!Number.isInteger(limit) || limit < 0) return;
  await db
    .updateTable('accounts')
    .set({ x_dm_day_limit: limit })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('x_dm_day_limit', 'is', null), eb('x_dm_day_limit', '!=', limit)]))
    .execute();
}

/** X no longer accepts the account's authorisation (revoked, refused, unlinked). */
export async function markAccountDisconnected(db: Db, id: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ status: 'disconnected', updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Whether any campaign was ever created on the account (re-linking must keep the same X user). */
export async function accountHasCampaigns(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('campaigns')
    .select('id')
    .where('account_id', '=', id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
