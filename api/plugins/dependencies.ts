import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client';

export interface ApiDependencies {
  db: Db;
  temporal: Client;
  temporalConfig: { namespace: string; taskQueue: string; webUiUrl?: string };
  publicBaseUrl?: string;
  /** The X app's consumer secret: signs webhook deliveries and answers CRC challenges. */
  webhookSecret?: string;
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
