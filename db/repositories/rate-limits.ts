import { sql } from 'kysely';
import type { Db } from '../client';

export interface RateLimitCount {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Milliseconds until the window ends (and the count starts again at 1). */
  ttlMs: number;
}

// The database's clock decides windows, so replicas with skewed clocks still share one window.
const windowEndsAt = (windowMs: number) =>
  sql<Date>`clock_timestamp() + ${windowMs} * interval '1 millisecond'`;
const ttlMsOf = sql<number>`greatest(0, ceil(extract(epoch from (window_ends_at - clock_timestamp())) * 1000))::integer`;

/**
 * Counts one hit on a bucket in a fixed window, atomically across every API replica (the upsert
 * locks the row): the first hit, or the first after the window ended, starts a window of
 * `windowMs` at 1.
 */
export async function countRateLimitHit(
  db: Db,
  bucket: string,
  windowMs: number,
): Promise<RateLimitCount> {
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ bucket, hits: 1, window_ends_at: windowEndsAt(windowMs) })
    .onConflict((conflict) =>
      conflict.column('bucket').doUpdateSet({
        hits: sql<number>`case when rate_limit_counters.window_ends_at <= clock_timestamp()
          then 1 else least(rate_limit_counters.hits + 1, 2147483647) end`,
        window_ends_at: sql<Date>`case when rate_limit_counters.window_ends_at <= clock_timestamp()
          then excluded.window_ends_at else rate_limit_counters.window_ends_at end`,
      }),
    )
    .returning(['hits', ttlMsOf.as('ttl_ms')])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, ttlMs: row.ttl_ms };
}

/** A bucket's count without counting a hit; an ended or unknown window reads as 0. */
export async function findRateLimitCount(db: Db, bucket: string): Promise<RateLimitCount> {
  const row = await db
    .selectFrom('rate_limit_counters')
    .select(['hits', ttlMsOf.as('ttl_ms')])
    .where('bucket', '=', bucket)
    .where('window_ends_at', '>', sql<Date>`clock_timestamp()`)
    .executeTakeFirst();
  return row ? { hits: row.hits, ttlMs: row.ttl_ms } : { hits: 0, ttlMs: 0 };
}

/** Removes buckets whose window ended (the next hit would reset them anyway). */
export async function deleteEndedRateLimitCounts(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('rate_limit_counters')
    .where('window_ends_at', '<', sql<Date>`clock_timestamp()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
