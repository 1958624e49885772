import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

export interface RateLimitOptions {
  /** Requests per window for one API key (or one address without a key). */
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

function bearerKey(request: FastifyRequest): string | undefined {
  const match = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
  // Hashed: the limiter's memory never holds a secret.
  return match?.[1] ? createHash('sha256').update(match[1]).digest('base64url') : undefined;
}

/**
 * Two limits on every route but X's webhook (X's retries are throttled by X, and its deliveries
 * are signed): one per API key, and one per client address, so a flood of made-up keys from one
 * address is limited too. Past either: 429 in the API's error shape with `retry-after` (seconds).
 */
export default fp(
  async function rateLimits(app: FastifyInstance, options: RateLimitOptions) {
    await app.register(rateLimit, { global: false });
    const perAddress = app.createRateLimit({
      max: options.perAddress,
      timeWindow: options.windowMs,
      keyGenerator: (request) => `address:${request.ip}`,
    });
    const perKey = app.createRateLimit({
      max: options.perKey,
      timeWindow: options.windowMs,
      keyGenerator: (request) => {
        const key = bearerKey(request);
        return key ? `key:${key}` : `anonymous:${request.ip}`;
      },
    });

    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/v1/webhooks/')) return;
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
          throw new AppError(
            429,
            'rate_limited',
            `Too many requests for this ${scope === 'key' ? 'API key' : 'address'}; retry in ${limit.ttlInSeconds} s / ` +
              `リクエストが多すぎます。${limit.ttlInSeconds} 秒後に再試行してください`,
            { scope, retryAfterSeconds: limit.ttlInSeconds },
          );
        }
      }
    });
  },
  { name: 'kuji-rate-limits' },
);
