import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { Db } from '../../db/client';
import {
  countCampaignsByPhase,
  countDeliveriesByStateKindChannel,
  countHaltedAccounts,
  countOpenInterventionsByKind,
  countPausedCampaigns,
  type LabelRow,
  sumQuotaUsedByAccount,
} from '../../db/repositories/metrics';
import { AppError } from '../errors';
import { errorResponseSchema } from '../schemas/common';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
function carriesToken(request: FastifyRequest, token: string): boolean {
  const sent = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

/** Label for requests no route matched: one series for all of them, whatever the URL. */
export const unmatchedRoute = '(unmatched)';

let processRegistry: Registry | undefined;

/**
 * Node's process metrics, registered once per process: each collectDefaultMetrics call starts a
 * GC observer and an event-loop monitor that are never stopped, and tests build many apps.
 * A registry of our own, never prom-client's global one.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * A gauge whose series are read from PostgreSQL at scrape time. The query runs first and the
 * reset and sets follow with no await between them, so a scrape never sees a half-filled gauge
 * and series whose rows are gone disappear.
 */
function databaseGauge<L extends string>(
  registry: Registry,
  options: {
    name: string;
    help: string;
    labelNames: readonly L[];
    query: () => Promise<LabelRow<L>[]>;
  },
) {
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [registry],
    async collect() {
      const rows = await options.query();
      this.reset();
      if (options.labelNames.length === 0) {
        this.set(Number(rows[0]?.count ?? 0));
        return;
      }
      for (const row of rows) {
        const labels = Object.fromEntries(
          options.labelNames.map((name) => [name, String(row[name])]),
        ) as Record<L, string>;
        this.set(labels, Number(row.count ?? 0));
      }
    },
  });
}

function registerDatabaseGauges(registry: Registry, db: Db) {
  databaseGauge(registry, {
    name: 'kuji_campaigns',
    help: 'Campaigns per phase',
    labelNames: ['phase'],
    query: () => countCampaignsByPhase(db),
  });
  databaseGauge(registry, {
    name: 'kuji_campaigns_paused',
    help: 'Campaigns paused by an operator (an overlay on their phase)',
    labelNames: [],
    query: () => countPausedCampaigns(db),
  });
  databaseGauge(registry, {
    name: 'kuji_deliveries',
    help: 'Deliveries per state, kind and channel',
    labelNames: ['state', 'kind', 'channel'],
    query: () => countDeliveriesByStateKindChannel(db),
  });
  databaseGauge(registry, {
    name: 'kuji_interventions_open',
    help: 'Open interventions (waiting for a person) per kind',
    labelNames: ['kind'],
    query: () => countOpenInterventionsByKind(db),
  });
  databaseGauge(registry, {
    name: 'kuji_accounts_halted',
    help: 'Sender accounts whose sending is halted (restricted, auth lost)',
    labelNames: [],
    query: () => countHaltedAccounts(db),
  });
  databaseGauge(registry, {
    name: 'kuji_dm_quota_used_total',
    help: 'DM quota slots in use per sender account, summed over all local days',
    labelNames: ['account_id'],
    query: () => sumQuotaUsedByAccount(db),
  });
}

/**
 * Prometheus metrics of this app instance: request counts and durations by route pattern, and
 * gauges read from PostgreSQL at scrape time. App-wide (fastify-plugin) so its hook sees every
 * route. Needs `app.db`: register it after the dependencies plugin.
 */
export default fp(
  function metricsRoutes(app: FastifyInstance, options: { token?: string }) {
    const token = options.token || undefined;
    const registry = new Registry();
    registerDatabaseGauges(registry, app.db);

    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({
      name: 'kuji_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
      registers: [registry],
    });
    const durations = new Histogram({
      name: 'kuji_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route pattern and status',
      labelNames,
      registers: [registry],
    });

    app.addHook('onResponse', async (request, reply) => {
      // The pattern, never the raw URL: ids in paths would explode the label cardinality.
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? unmatchedRoute,
        status: String(reply.statusCode),
      };
      requests.inc(labels);
      durations.observe(labels, reply.elapsedTime / 1000);
    });

    app.withTypeProvider<ZodTypeProvider>().get(
      '/metrics',
      {
        schema: {
          summary:
            'Prometheus metrics (text format): campaigns per phase, deliveries per state/kind/' +
            'channel, open interventions, halted accounts, DM quota use, HTTP requests, process. ' +
            'No API key: it carries counts only, never participant data. When the deployment ' +
            'sets METRICS_TOKEN, it answers only `Authorization: Bearer <METRICS_TOKEN>` (else 401)',
          tags: ['operations'],
          security: [],
          produces: ['text/plain'],
          response: {
            200: z.string().describe('text/plain; version=0.0.4'),
            401: errorResponseSchema.describe('METRICS_TOKEN is set and was not sent'),
            503: errorResponseSchema.describe('The database could not be read'),
          },
        },
      },
      async (request, reply) => {
        if (token && !carriesToken(request, token)) {
          throw new AppError(
            401,
            'unauthorized',
            'Metrics need `Authorization: Bearer <METRICS_TOKEN>` / METRICS_TOKEN が必要です',
          );
        }
        const merged = Registry.merge([registry, processMetrics()]);
        let text: string;
        try {
          text = await merged.metrics();
        } catch (error) {
          request.log.error({ err: error }, 'metrics scrape failed');
          throw new AppError(503, 'metrics_unavailable', 'Metrics could not be read right now');
        }
        return reply.type(merged.contentType).header('cache-control', 'no-store').send(text);
      },
    );
  },
  { name: 'kuji-metrics' },
);
