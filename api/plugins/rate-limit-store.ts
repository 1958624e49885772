/**
 * A `@fastify/rate-limit` store on PostgreSQL: every API replica counts in the same rows, so the
 * per-key, per-address and page limits hold for the whole deployment rather than per process.
 */
import { createHash } from 'node:crypto';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Db } from '../../db/client';
import {
  countRateLimitHit,
  deleteEndedRateLimitCounts,
  findRateLimitCount,
} from '../../db/repositories/rate-limits';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

export interface PostgresRateLimitStoreOptions {
  db: Db;
  /** A failed count or purge (the request itself goes on: see the plugin's `skipOnError`). */
  onError: (error: unknown, what: 'count' | 'purge') => void;
  /** How often one process purges ended windows; default one minute. */
  purgeEveryMs?: number;
  now?: () => number;
}

// Hashed once more: addresses are kept as digests, and every bucket has the same width.
const bucketOf = (key: string) => createHash('sha256').update(key).digest('base64url');

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

export function postgresRateLimitStore(
  options: PostgresRateLimitStoreOptions,
): FastifyRateLimitStoreCtor {
  const purgeEveryMs = options.purgeEveryMs ?? 60_000;
  const now = options.now ?? Date.now;
  // Per process, and only a schedule: no replica needs another's.
  let nextPurgeAt = now() + purgeEveryMs;

  function purgeWhenDue() {
    if (now() < nextPurgeAt) return;
    nextPurgeAt = now() + purgeEveryMs;
    deleteEndedRateLimitCounts(options.db).catch((error: unknown) =>
      options.onError(error, 'purge'),
    );
  }

  class PostgresRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      countRateLimitHit(options.db, bucketOf(key), timeWindow).then(
        ({ hits, ttlMs }) => {
          callback(null, { current: hits, ttl: ttlMs });
          purgeWhenDue();
        },
        (error: unknown) => {
          options.onError(error, 'count');
          callback(asError(error));
        },
      );
    }

    read(key: string, callback: Callback): void {
      findRateLimitCount(options.db, bucketOf(key)).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: unknown) => {
          options.onError(error, 'count');
          callback(asError(error));
        },
      );
    }

    child(): FastifyRateLimitStore {
      return new PostgresRateLimitStore();
    }
  }
  return PostgresRateLimitStore;
}
