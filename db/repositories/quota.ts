import { sql } from 'kysely';
import { type Db, inTransaction } from '../client';

export type QuotaReservation =
  | { reserved: true; dayKey: string; alreadyHeld: boolean }
  | { reserved: false; used: number; cap: number };

async function findSlotDay(
  db: Db,
  accountId: string,
  deliveryId: string,
): Promise<string | undefined> {
  const slot = await db
    .selectFrom('dm_quota_slots')
    .select('day_key')
    .where('account_id', '=', accountId)
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  return slot?.day_key;
}

/**
 * Reserves one DM slot for a delivery in the account's local day `dayKey` (DESIGN.md §6).
 * Idempotent per delivery: a delivery that already holds a slot gets it back, whatever its day.
 * The day row is locked while it is counted, so the account's campaigns together never pass the
 * cap; the cap stored for a day only ever goes down (the smallest cap any caller applied).
 */
export async function reserveQuotaSlot(
  db: Db,
  request: { accountId: string; deliveryId: string; dayKey: string; cap: number },
): Promise<QuotaReservation> {
  const { accountId, deliveryId, dayKey } = request;
  return inTransaction(db, async (trx) => {
    const heldDay = await findSlotDay(trx, accountId, deliveryId);
    if (heldDay !== undefined) return { reserved: true, dayKey: heldDay, alreadyHeld: true };

    // The upsert takes the day row's lock until commit: reservations for this day queue here.
    const day = await trx
      .insertInto('dm_quota_days')
      .values({ account_id: accountId, day_key: dayKey, cap: request.cap })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'day_key'])
          .doUpdateSet({ cap: sql<number>`least(dm_quota_days.cap, excluded.cap)` }),
      )
      .returning(['used', 'cap'])
      .executeTakeFirstOrThrow();

    // A concurrent call for the same delivery may have committed while we waited for the lock;
    // this statement's fresh snapshot sees it.
    const heldMeanwhile = await findSlotDay(trx, accountId, deliveryId);
    if (heldMeanwhile !== undefined) {
      return { reserved: true, dayKey: heldMeanwhile, alreadyHeld: true };
    }
    if (day.used >= day.cap) return { reserved: false, used: day.used, cap: day.cap };

    // `do nothing` covers a concurrent call for the same delivery on another day.
    const slot = await trx
      .insertInto('dm_quota_slots')
      .values({ account_id: accountId, delivery_id: deliveryId, day_key: dayKey })
      .onConflict((oc) => oc.columns(['account_id', 'delivery_id']).doNothing())
      .returning('day_key')
      .executeTakeFirst();
    if (!slot) {
      const otherDay = await findSlotDay(trx, accountId, deliveryId);
      if (otherDay === undefined) throw new Error(`quota slot of ${deliveryId} vanished`);
      return { reserved: true, dayKey: otherDay, alreadyHeld: true };
    }
    await trx
      .updateTable('dm_quota_days')
      .set((eb) => ({ used: eb('used', '+', 1) }))
      .where('account_id', '=', accountId)
      .where('day_key', '=', dayKey)
      .execute();
    return { reserved: true, dayKey, alreadyHeld: false };
  });
}

/**
 * Gives a delivery's slot back (it failed permanently before reaching X). One statement deletes
 * the slot and decrements its day, so a second call finds no slot and changes nothing.
 * Returns whether a slot was released.
 */
export async function releaseQuotaSlot(
  db: Db,
  slot: { accountId: string; deliveryId: string },
): Promise<boolean> {
  const released = await db
    .with('released', (qb) =>
      qb
        .deleteFrom('dm_quota_slots')
        .where('account_id', '=', slot.accountId)
        .where('delivery_id', '=', slot.deliveryId)
        .returning(['account_id', 'day_key']),
    )
    .updateTable('dm_quota_days')
    .from('released')
    .set((eb) => ({ used: eb('dm_quota_days.used', '-', 1) }))
    .whereRef('dm_quota_days.account_id', '=', 'released.account_id')
    .whereRef('dm_quota_days.day_key', '=', 'released.day_key')
    .returning('dm_quota_days.used')
    .executeTakeFirst();
  return released !== undefined;
}

export async function quotaUsage(
  db: Db,
  accountId: string,
  dayKey: string,
): Promise<{ used: number; cap: number } | null> {
  const day = await db
    .selectFrom('dm_quota_days')
    .select(['used', 'cap'])
    .where('account_id', '=', accountId)
    .where('day_key', '=', dayKey)
    .executeTakeFirst();
  return day ?? null;
}

/** The ledger's days of an account among `dayKeys` (days nobody reserved in are absent). */
export async function listQuotaDays(
  db: Db,
  accountId: string,
  dayKeys: readonly string[],
): Promise<{ dayKey: string; used: number; cap: number }[]> {
  if (dayKeys.length === 0) return [];
  const rows = await db
    .selectFrom('dm_quota_days')
    .select(['day_key', 'used', 'cap'])
    .where('account_id', '=', accountId)
    .where('day_key', 'in', dayKeys)
    .execute();
  return rows.map((row) => ({ dayKey: row.day_key, used: row.used, cap: row.cap }));
}
