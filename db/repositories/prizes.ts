import { sql } from 'kysely';
import { type Db, inTransaction } from '../client';

export interface NewPrize {
  id: string;
  name: string;
  valueYen: number;
  stock: number;
  /** Gift or coupon codes, one per winner. */
  codes?: readonly string[];
}

export interface PrizeStock {
  prizeId: string;
  name: string;
  valueYen: number;
  stockTotal: number;
  stockRemaining: number;
  /** Codes loaded for the prize (0 when it has none) and how many are still unassigned. */
  codesTotal: number;
  codesRemaining: number;
}

/**
 * Loads a campaign's prizes and codes. Idempotent: prizes and codes already stored are left as
 * they are (so a retry never refills stock already handed out). Returns how many prizes were new.
 */
export async function insertPrizes(
  db: Db,
  campaignId: string,
  prizes: readonly NewPrize[],
): Promise<number> {
  if (prizes.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('prizes')
      .values(
        prizes.map((prize) => ({
          campaign_id: campaignId,
          prize_id: prize.id,
          name: prize.name,
          value_yen: prize.valueYen,
          stock_total: prize.stock,
          stock_remaining: prize.stock,
        })),
      )
      .onConflict((oc) => oc.columns(['campaign_id', 'prize_id']).doNothing())
      .returning('prize_id')
      .execute();
    const codes = prizes.flatMap((prize) =>
      (prize.codes ?? []).map((code) => ({
        campaign_id: campaignId,
        prize_id: prize.id,
        code,
        assigned_x_user_id: null,
        assigned_at: null,
      })),
    );
    // 5 parameters a row; batches stay far below PostgreSQL's 65,535 bind parameters.
    for (let start = 0; start < codes.length; start += 5_000) {
      await trx
        .insertInto('prize_codes')
        .values(codes.slice(start, start + 5_000))
        .onConflict((oc) => oc.columns(['campaign_id', 'prize_id', 'code']).doNothing())
        .execute();
    }
    return inserted.length;
  });
}

/**
 * Takes one unit of stock in a single conditional update: under any concurrency exactly
 * `stock_total` callers get true and the remaining stock never goes below zero.
 */
export async function takePrizeStock(
  db: Db,
  campaignId: string,
  prizeId: string,
): Promise<boolean> {
  const row = await db
    .updateTable('prizes')
    .set((eb) => ({ stock_remaining: eb('stock_remaining', '-', 1) }))
    .where('campaign_id', '=', campaignId)
    .where('prize_id', '=', prizeId)
    .where('stock_remaining', '>', 0)
    .returning('stock_remaining')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Adds stock to a prize (an operator's answer to "stock exhausted", or a raised stock in a
 * changed configuration). Returns the new remaining stock, or null for an unknown prize.
 */
export async function addPrizeStock(
  db: Db,
  campaignId: string,
  prizeId: string,
  amount: number,
): Promise<number | null> {
  const row = await db
    .updateTable('prizes')
    .set((eb) => ({
      stock_total: eb('stock_total', '+', amount),
      stock_remaining: eb('stock_remaining', '+', amount),
    }))
    .where('campaign_id', '=', campaignId)
    .where('prize_id', '=', prizeId)
    .where((eb) => eb('stock_remaining', '+', amount), '>=', 0)
    .returning('stock_remaining')
    .executeTakeFirst();
  return row ? row.stock_remaining : null;
}

/** Gives one unit back (a forfeited win); false when the stock is already full. */
export async function returnPrizeStock(
  db: Db,
  campaignId: string,
  prizeId: string,
): Promise<boolean> {
  const row = await db
    .updateTable('prizes')
    .set((eb) => ({ stock_remaining: eb('stock_remaining', '+', 1) }))
    .where('campaign_id', '=', campaignId)
    .where('prize_id', '=', prizeId)
    .whereRef('stock_remaining', '<', 'stock_total')
    .returning('stock_remaining')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The participant's code for this prize: the one already assigned to them, else the first free
 * code. null when the prize has no free code left. A per-participant advisory lock keeps two
 * concurrent calls for the same participant from taking two codes; `skip locked` lets calls for
 * different participants proceed in parallel without ever sharing a code.
 */
export async function assignPrizeCode(
  db: Db,
  campaignId: string,
  prizeId: string,
  xUserId: string,
): Promise<string | null> {
  return inTransaction(db, async (trx) => {
    const lockKey = JSON.stringify(['prize_code', campaignId, prizeId, xUserId]);
    await sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);

    const held = await trx
      .selectFrom('prize_codes')
      .select('code')
      .where('campaign_id', '=', campaignId)
      .where('prize_id', '=', prizeId)
      .where('assigned_x_user_id', '=', xUserId)
      .executeTakeFirst();
    if (held) return held.code;

    const taken = await trx
      .with('free', (qb) =>
        qb
          .selectFrom('prize_codes')
          .select('code')
          .where('campaign_id', '=', campaignId)
          .where('prize_id', '=', prizeId)
          .where('assigned_x_user_id', 'is', null)
          .orderBy('code')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .updateTable('prize_codes')
      .from('free')
      .set({ assigned_x_user_id: xUserId, assigned_at: sql<Date>`now()` })
      .where('prize_codes.campaign_id', '=', campaignId)
      .where('prize_codes.prize_id', '=', prizeId)
      .whereRef('prize_codes.code', '=', 'free.code')
      .returning('prize_codes.code')
      .executeTakeFirst();
    return taken?.code ?? null;
  });
}

export async function listPrizeStock(db: Db, campaignId: string): Promise<PrizeStock[]> {
  const rows = await db
    .selectFrom('prizes')
    .leftJoin('prize_codes', (join) =>
      join
        .onRef('prize_codes.campaign_id', '=', 'prizes.campaign_id')
        .onRef('prize_codes.prize_id', '=', 'prizes.prize_id'),
    )
    .select((eb) => [
      'prizes.prize_id',
      'prizes.name',
      'prizes.value_yen',
      'prizes.stock_total',
      'prizes.stock_remaining',
      eb.fn.count<string>('prize_codes.code').as('codes_total'),
      eb.fn
        .count<string>('prize_codes.code')
        .filterWhere('prize_codes.assigned_x_user_id', 'is', null)
        .as('codes_remaining'),
    ])
    .where('prizes.campaign_id', '=', campaignId)
    .groupBy([
      'prizes.prize_id',
      'prizes.name',
      'prizes.value_yen',
      'prizes.stock_total',
      'prizes.stock_remaining',
    ])
    .orderBy('prizes.prize_id')
    .execute();
  return rows.map((row) => ({
    prizeId: row.prize_id,
    name: row.name,
    valueYen: row.value_yen,
    stockTotal: row.stock_total,
    stockRemaining: row.stock_remaining,
    codesTotal: Number(row.codes_total),
    codesRemaining: Number(row.codes_remaining),
  }));
}
