import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiKeyNameTakenError,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../db/repositories/api-keys';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { actorId, roles } from '../plugins/auth';
import { AppError, notFound } from '../errors';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { pageQuerySchema } from '../schemas/pagination';
import { createApiKeyBodySchema } from '../schemas/accounts';

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  keyPrefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

/** The names `npm start` gives the keys it registers; no key made through the API takes them. */
export const bootstrapKeyNames = ['admin', 'local-admin'] as const;

const nameTaken = (name: string) =>
  new AppError(
    409,
    'api_key_name_taken',
    `An active API key is already named '${name}', or the name is reserved; choose another / ` +
      `'${name}' は使用中または予約済みの名前です。別の名前を指定してください`,
  );

export default function apiKeyRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/api-keys',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Create an API key; the secret is shown once, only its hash is stored',
        description: `Names are unique among active keys (case-insensitively); ${bootstrapKeyNames
          .map((name) => `\`${name}\``)
          .join(
            ' and ',
          )} are reserved for the keys \`npm start\` registers. A taken name answers 409.`,
        tags: ['api keys'],
        body: createApiKeyBodySchema,
        response: {
          201: z.object({ id: z.string(), name: z.string(), role: z.string(), secret: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { name } = request.body;
      if ((bootstrapKeyNames as readonly string[]).includes(name.trim().toLowerCase())) {
        throw nameTaken(name);
      }
      const { principal, secret } = await insertApiKey(app.db, request.body).catch(
        (error: unknown) => {
          throw error instanceof ApiKeyNameTakenError ? nameTaken(name) : error;
        },
      );
      await insertAuditEntry(app.db, {
        actor: actorId(request),
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
        summary: 'List API keys (never their secrets), oldest first, a page at a time',
        tags: ['api keys'],
        querystring: pageQuerySchema,
        response: { 200: z.object({ apiKeys: z.array(apiKeySchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      apiKeys: (await listApiKeys(app.db, request.query)).map((k) => ({
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
        summary: 'Revoke an API key (no request body)',
        tags: ['api keys'],
        params: idParamsSchema,
        response: { 204: z.null().describe('Revoked; no content'), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(app.db, request.params.id)))
        throw notFound('api_key', request.params.id);
      await insertAuditEntry(app.db, {
        actor: actorId(request),
        action: 'api_key.revoke',
        subject: request.params.id,
        outcome: 'ok',
      });
      return reply.status(204).send(null);
    },
  );
}
