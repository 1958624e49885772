import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type Account,
  findAccountById,
  insertAccount,
  listAccounts,
} from '../../db/repositories/accounts';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { actorName, roles } from '../plugins/auth';
import { AppError, notFound } from '../errors';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { accountSchema, createAccountBodySchema } from '../schemas/accounts';

export function presentAccount(account: Account): z.infer<typeof accountSchema> {
  return { ...account, createdAt: account.createdAt.toISOString() };
}

export default function accountRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/accounts',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Register an X sender account',
        tags: ['accounts'],
        body: createAccountBodySchema,
        response: { 201: z.object({ account: accountSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const account = await insertAccount(app.db, {
        ...body,
        handle: body.handle.replace(/^@/, ''),
      });
      if (!account)
        throw new AppError(409, 'account_exists', `Account '${body.id}' already exists`);
      await insertAuditEntry(app.db, {
        actor: actorName(request),
        action: 'account.create',
        subject: account.id,
        outcome: 'ok',
      });
      return reply.status(201).send({ account: presentAccount(account) });
    },
  );

  r.get(
    '/v1/accounts',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'List sender accounts',
        tags: ['accounts'],
        response: { 200: z.object({ accounts: z.array(accountSchema) }), ...errorResponses },
      },
    },
    async () => ({ accounts: (await listAccounts(app.db)).map(presentAccount) }),
  );

  r.get(
    '/v1/accounts/:id',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'One sender account',
        tags: ['accounts'],
        params: idParamsSchema,
        response: { 200: z.object({ account: accountSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const account = await findAccountById(app.db, request.params.id);
      if (!account) throw notFound('account', request.params.id);
      return { account: presentAccount(account) };
    },
  );
}
