import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pingDatabase } from '../../db/repositories/health';

const dependencyNames = ['database', 'temporal'] as const;
type DependencyName = (typeof dependencyNames)[number];

const checkSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z
    .enum(['no_answer', 'failed'])
    .optional()
    .describe(
      'Why the check failed: no answer within the deadline, or an error (its text is only in the log)',
    ),
});
const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  down: z.array(z.enum(dependencyNames)).describe('The dependencies that failed their check'),
  checks: z.object({ database: checkSchema, temporal: checkSchema }),
});

class NoAnswer extends Error {}

/**
 * One dependency's check. The raw error (a connection string, a host, a driver's message) goes
 * to the log, never into the answer: `/healthz` needs no key.
 */
async function timed(
  name: DependencyName,
  probe: () => Promise<unknown>,
  timeoutMs: number,
  log: FastifyBaseLogger,
): Promise<z.infer<typeof checkSchema>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  // The probe may outlive the timeout; its late failure must not become an unhandled rejection.
  const probing = probe();
  probing.catch(() => undefined);
  try {
    await Promise.race([
      probing,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new NoAnswer(`no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    log.warn({ err: error, dependency: name }, 'health check failed');
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof NoAnswer ? 'no_answer' : 'failed',
    };
  } finally {
    clearTimeout(timer);
  }
}

export default function healthRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/livez',
    {
      schema: {
        summary: 'The API process answers (liveness probe); no dependency is checked',
        description:
          'No API key, no rate limit. Readiness is `/healthz`: a database or Temporal outage ' +
          'takes a replica out of the load balancer without restarting it.',
        tags: ['operations'],
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );
  app.withTypeProvider<ZodTypeProvider>().get(
    '/healthz',
    {
      schema: {
        summary: 'Health of the API and each dependency (503 naming the ones that are down)',
        description: 'No API key. Error details of a failing check are written to the log only.',
        tags: ['operations'],
        security: [],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (request, reply) => {
      const [database, temporal] = await Promise.all([
        timed('database', () => pingDatabase(app.db), 2000, request.log),
        timed(
          'temporal',
          // A deadline on the call itself: the client's retries stop with it.
          () =>
            app.temporal.connection.withDeadline(Date.now() + 2000, () =>
              app.temporal.workflowService.getSystemInfo({}),
            ),
          2500,
          request.log,
        ),
      ]);
      const checks = { database, temporal };
      const down = dependencyNames.filter((name) => !checks[name].ok);
      return reply
        .status(down.length === 0 ? 200 : 503)
        .send({ status: down.length === 0 ? 'ok' : 'degraded', down, checks });
    },
  );
}
