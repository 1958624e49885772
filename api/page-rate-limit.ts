/**
 * A per-address limit for one participant page's action (a /verify check, a sign-in start),
 * tighter than the API's general limits, answering a page (429, Japanese then English) with
 * `retry-after` instead of the API's JSON.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export function pageRateLimit(
  app: FastifyInstance,
  options: { name: string; perMinute: number; page: () => string },
  send: (reply: FastifyReply, status: number, body: string) => FastifyReply,
) {
  const limiter = app.createRateLimit({
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `${options.name}:${request.ip}`,
  });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await limiter(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    void reply.header('retry-after', limit.ttlInSeconds);
    return send(reply, 429, options.page());
  };
}
