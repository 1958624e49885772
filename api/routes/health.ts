import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';

const checkSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ database: checkSchema, temporal: checkSchema }),
});

async function timed(probe: () => Promise<unknown>, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  // The probe may outlive the timeout; its late failure must not become an unhandled rejection.
  const probing = probe();
  probing.catch(() => undefined);
  try {
    await Promise.race([
      probing,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

export default function healthRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/healthz',
    {
      schema: {
        summary: 'Health of the API and each dependency (503 when one is down)',
        tags: ['operations'],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        timed(() => sql`select 1`.execute(app.db), 2000),
        timed(
          // A deadline on the call itself: the client's retries stop with it.
          () =>
            app.temporal.connection.withDeadline(Date.now() + 2000, () =>
              app.temporal.workflowService.getSystemInfo({}),
            ),
          2500,
        ),
      ]);
      const healthy = database.ok && temporal.ok;
      return reply
        .status(healthy ? 200 : 503)
        .send({ status: healthy ? 'ok' : 'degraded', checks: { database, temporal } });
    },
  );
}
