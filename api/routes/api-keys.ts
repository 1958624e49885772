import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/repositories/api-keys';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { actorName, roles } from '../plugins/auth';
import { notFound } from '../errors';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { createApiKeyBodySchema } from '../schemas/accounts';

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  keyPrefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export default function apiKeyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/api-keys',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Create an API key; the secret is shown once, only its hash is stored',
        tags: ['api keys'],
        body: createApiKeyBodySchema,
        response: {
          201: z.object({ id: z.string(), name: z.string(), role: z.string(), secret: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { principal, secret } = await insertApiKey(app.db, request.body);
      await insertAuditEntry(app.db, {
        actor: actorName(request),
        action: 'api_key.create',
        subject: principal.id,
        outcome: 'ok',
        details: { name: principal.name, role: principal.role },
      });
      return reply.status(201).send({ ...principal, secret });
    },
  );

  r.get(
    '/v1/api-keys',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'List API keys (never their secrets)',
        tags: ['api keys'],
        response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }), ...errorResponses },
      },
    },
    async () => ({
      apiKeys: (await listApiKeys(app.db)).map((k) => ({
        ...k,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
      })),
    }),
  );

  r.delete(
    '/v1/api-keys/:id',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Revoke an API key',
        tags: ['api keys'],
        params: idParamsSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(app.db, request.params.id)))
        throw notFound('api_key', request.params.id);
      await insertAuditEntry(app.db, {
        actor: actorName(request),
        action: 'api_key.revoke',
        subject: request.params.id,
        outcome: 'ok',
      });
      return reply.status(204).send(null);
    },
  );
}
