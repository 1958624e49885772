import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client';
import { CONSOLE_SESSION_COOKIE } from '../console-session';
import { AppError } from '../errors';
import { cookieFrom } from '../participant-session';
import { postgresRateLimitStore } from './rate-limit-store';

export interface RateLimitOptions {
  /**
   * Requests per window for one API key, one console session (its cookie), or one address
   * with neither.
   */
  perKey: number;
  /** Requests per window from one client address, whatever keys it sends. */
  perAddress: number;
  windowMs: number;
}

export const defaultRateLimits: RateLimitOptions = {
  perKey: 1200,
  perAddress: 2400,
  windowMs: 60_000,
};

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('base64url');

type Caller = 'key' | 'session' | 'anonymous';

/**
 * The per-key bucket of a request: its bearer key, else its console session cookie, else its
 * address. Hashed: the limiter's memory never holds a secret.
 */
function callerBucket(request: FastifyRequest): { caller: Caller; bucket: string } {
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return { caller: 'key', bucket: `key:${sha256(bearer)}` };
  const session = cookieFrom(request.headers.cookie, CONSOLE_SESSION_COOKIE);
  if (session) return { caller: 'session', bucket: `session:${sha256(session)}` };
  return { caller: 'anonymous', bucket: `anonymous:${request.ip}` };
}

const tooMany: Record<Caller | 'address', { en: string; ja: string }> = {
  key: { en: 'this API key', ja: 'この API キーからの' },
  session: { en: 'this console session', ja: 'このコンソールセッションからの' },
  anonymous: { en: 'this address', ja: 'このアドレスからの' },
  address: { en: 'this address', ja: 'このアドレスからの' },
};

/**
 * Two limits on every route but X's webhook (X's retries are throttled by X, and its deliveries
 * are signed): one per API key or console session (so operators behind one address each have
 * their own), and one per client address, so a flood of made-up keys or cookies from one address
 * is limited too. Past either: 429 in the API's error shape with `retry-after` (seconds).
 */
export default fp(
  async function rateLimits(app: FastifyInstance, options: RateLimitOptions & { db: Db }) {
    await app.register(rateLimit, {
      global: false,
      // The counters live in PostgreSQL, shared by every API replica.
      store: postgresRateLimitStore({
        db: options.db,
        onError: (error, what) =>
          app.log.warn({ err: error }, `rate limit ${what} failed in PostgreSQL`),
      }),
      // PostgreSQL down: requests are let through (the routes that need it answer for
      // themselves; /healthz says 503) rather than all refused with a 500.
      skipOnError: true,
    });
    const perAddress = app.createRateLimit({
      max: options.perAddress,
      timeWindow: options.windowMs,
      keyGenerator: (request) => `address:${request.ip}`,
    });
    const perKey = app.createRateLimit({
      max: options.perKey,
      timeWindow: options.windowMs,
      keyGenerator: (request) => callerBucket(request).bucket,
    });

    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.url;
      // The liveness probe must answer even when PostgreSQL (the counters) is slow.
      if (route?.startsWith('/v1/webhooks/') || route === '/livez') return;
      for (const [limiter, scope] of [
        [perAddress, 'address'],
        [perKey, 'key'],
      ] as const) {
        const limit = await limiter(request);
        if (limit.isAllowed) continue;
        void reply.header('x-ratelimit-limit', limit.max);
        void reply.header('x-ratelimit-remaining', limit.remaining);
        void reply.header('x-ratelimit-reset', limit.ttlInSeconds);
        if (limit.isExceeded) {
          void reply.header('retry-after', limit.ttlInSeconds);
          const caller = scope === 'key' ? callerBucket(request).caller : scope;
          const whose = tooMany[caller];
          throw new AppError(
            429,
            'rate_limited',
            `Too many requests from ${whose.en}; retry in ${limit.ttlInSeconds} s / ` +
              `${whose.ja}リクエストが多すぎます。${limit.ttlInSeconds} 秒後に再試行してください`,
            { scope: caller, retryAfterSeconds: limit.ttlInSeconds },
          );
        }
      }
    });
  },
  { name: 'kuji-rate-limits' },
);
