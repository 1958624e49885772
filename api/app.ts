import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import auth from './plugins/auth';
import dependencies, { type ApiDependencies } from './plugins/dependencies';
import errorHandler from './plugins/error-handler';
import accountRoutes from './routes/accounts';
import apiKeyRoutes from './routes/api-keys';
import campaignRoutes from './routes/campaigns';
import deliveryRoutes from './routes/deliveries';
import healthRoutes from './routes/health';
import interventionRoutes from './routes/interventions';
import metricsRoutes from './routes/metrics';
import reportRoutes from './routes/reports';
import resultRoutes from './routes/results';
import webhookRoutes from './routes/webhooks';

/** The whole HTTP API as an app that never listens: server.ts listens, tests inject. */
export async function buildApp(
  deps: ApiDependencies,
  options: Pick<FastifyServerOptions, 'logger'> = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kuji API',
        description:
          'X campaigns as durable Temporal workflows. Authenticate with `Authorization: Bearer <API key>`.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(errorHandler);
  await app.register(dependencies, deps);
  await app.register(auth);
  await app.register(metricsRoutes);

  await app.register(healthRoutes);
  await app.register(accountRoutes);
  await app.register(apiKeyRoutes);
  await app.register(campaignRoutes);
  await app.register(deliveryRoutes);
  await app.register(interventionRoutes);
  await app.register(reportRoutes);
  await app.register(resultRoutes);
  await app.register(webhookRoutes, { secret: deps.webhookSecret });
  return app;
}
