import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client';
import type { XLinking } from '../x-linking';
import type { RateLimitOptions } from './rate-limit';

export interface ApiDependencies {
  db: Db;
  temporal: Client;
  temporalConfig: { namespace: string; taskQueue: string; webUiUrl?: string };
  publicBaseUrl?: string;
  /** The X app's consumer secret: signs webhook deliveries and answers CRC challenges. */
  webhookSecret?: string;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Requests per window per API key and per address (defaults: see `defaultRateLimits`). */
  rateLimits?: Partial<RateLimitOptions>;
  /** Linking sender accounts to X (OAuth 2.0 with PKCE); without it those routes answer 503. */
  xLinking?: XLinking;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    temporal: Client;
    temporalConfig: ApiDependencies['temporalConfig'];
  }
}

/** Decorates the app with what its routes need; whoever created them closes them. */
export default fp(function dependencies(app: FastifyInstance, deps: ApiDependencies) {
  app.decorate('db', deps.db);
  app.decorate('temporal', deps.temporal);
  app.decorate('temporalConfig', deps.temporalConfig);
});
