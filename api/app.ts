import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { openApiTransform, openApiTransformObject } from './openapi';
import auth from './plugins/auth';
import dependencies, { type ApiDependencies } from './plugins/dependencies';
import { clientErrorHandler } from './plugins/client-errors';
import documentedResponses from './plugins/documented-responses';
import errorHandler, { frameworkErrors } from './plugins/error-handler';
import hostileInput from './plugins/hostile-input';
import rateLimits, { defaultRateLimits } from './plugins/rate-limit';
import accountLinkRoutes from './routes/account-links';
import accountRoutes from './routes/accounts';
import apiKeyRoutes from './routes/api-keys';
import campaignRoutes from './routes/campaigns';
import campaignToolRoutes from './routes/campaign-tools';
import claimRoutes from './routes/claims';
import consoleRoutes from './routes/console';
import consoleSessionRoutes from './routes/console-session';
import deliveryRoutes from './routes/deliveries';
import healthRoutes from './routes/health';
import interventionRoutes from './routes/interventions';
import meRoutes from './routes/me';
import metricsRoutes from './routes/metrics';
import oauthRoutes from './routes/oauth';
import participantRoutes from './routes/participants';
import reportRoutes from './routes/reports';
import costRoutes from './routes/costs';
import resultRoutes from './routes/results';
import verifyRoutes from './routes/verify';
import webhookRoutes from './routes/webhooks';
import { xLinkingPlugin } from './x-linking';

/** A personal result link's path, `/r/<campaign>/<x user>/<token>`, up to its token. */
const resultLinkTokenInPath = /^(\/r\/[^/?#]+\/[^/?#]+\/)[^/?#]+/;

/**
 * A request URL as the logs may show it. A result link's token is all that keeps a participant's
 * result and prize code private (X user ids are public), so whoever reads the logs must not be
 * able to open the page: the token becomes `***`, campaign and user stay.
 */
function loggableUrl(url: string): string {
  return url.replace(resultLinkTokenInPath, '$1***');
}

/** Fastify's default request fields (bar the unused `accept-version`), the URL made loggable. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Whatever logger the caller configured, never writing a result link's token. */
function withoutTokensInLogs(
  logger: FastifyServerOptions['logger'],
): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: serializeRequest } };
}

/** The longest path parameter the router takes; longer answers 414. */
export const maxPathParameterLength = 4096;

/** The whole HTTP API as an app that never listens: server.ts listens, tests inject. */
export async function buildApp(
  deps: ApiDependencies,
  options: Pick<FastifyServerOptions, 'logger' | 'trustProxy'> = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withoutTokensInLogs(options.logger),
    // Behind a reverse proxy, the client's address (rate limits, logs) is the one it forwards.
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // Longer path parameters answer 414 (frameworkErrors); shorter ones reach validation (400).
    routerOptions: { maxParamLength: maxPathParameterLength },
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // First: their onRoute hooks see every route, /docs included.
  await app.register(errorHandler);
  await app.register(documentedResponses);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kuji API',
        description:
          'X campaigns as durable Temporal workflows. Authenticate with `Authorization: Bearer <API key>`, ' +
          'or with the console session cookie `kuji_console` (`POST /v1/console/session`), which needs ' +
          'the header `x-csrf-token` on every POST, PUT, PATCH and DELETE (403 `csrf_failed` without it).',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'kuji_console',
            description:
              'The console sign-in (`POST /v1/console/session`). With it, POST, PUT, PATCH and ' +
              "DELETE also need the header `x-csrf-token` (the session's `csrfToken`).",
          },
        },
      },
      security: [{ apiKey: [] }, { consoleSession: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(rateLimits, { ...defaultRateLimits, ...deps.rateLimits, db: deps.db });
  await app.register(hostileInput);
  await app.register(dependencies, deps);
  await app.register(auth);
  await app.register(xLinkingPlugin, { linking: deps.xLinking });
  await app.register(metricsRoutes, { token: deps.metricsToken });

  await app.register(healthRoutes);
  await app.register(accountRoutes);
  await app.register(accountLinkRoutes);
  await app.register(oauthRoutes);
  await app.register(apiKeyRoutes);
  await app.register(consoleSessionRoutes, { publicBaseUrl: deps.publicBaseUrl });
  await app.register(meRoutes);
  await app.register(campaignRoutes);
  await app.register(campaignToolRoutes, { publicBaseUrl: deps.publicBaseUrl });
  await app.register(deliveryRoutes);
  await app.register(interventionRoutes);
  await app.register(reportRoutes);
  await app.register(costRoutes);
  await app.register(claimRoutes);
  await app.register(resultRoutes);
  await app.register(participantRoutes);
  await app.register(verifyRoutes);
  await app.register(webhookRoutes, { secret: deps.webhookSecret });
  await app.register(consoleRoutes);
  return app;
}
