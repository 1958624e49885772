/**
 * The X users an admin allows to receive a sender account's rehearsal DMs. Rehearsals go out
 * under the brand's name before approval, so an operator choosing a campaign's `testAccounts`
 * picks among these; preflight blocks launch on any other (see activities/preflight).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAccountById } from '../../db/repositories/accounts';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import {
  countTestAccounts,
  deleteTestAccount,
  insertTestAccount,
  listTestAccounts,
  type TestAccount,
} from '../../db/repositories/test-accounts';
import { actorId, roles } from '../plugins/auth';
import { AppError, notFound } from '../errors';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { pageQuerySchema } from '../schemas/pagination';

/** Registered test accounts per sender account (a campaign uses at most 5 of them). */
export const maxTestAccountsPerSender = 20;

const xUserIdSchema = z.string().regex(/^\d{1,20}$/, 'must be an X user id (digits only)');

const testAccountSchema = z.object({
  accountId: z.string(),
  xUserId: z.string(),
  label: z.string().nullable(),
  addedBy: z.string().describe('The id of the API key that registered it'),
  createdAt: z.string(),
});

const presentTestAccount = (testAccount: TestAccount): z.infer<typeof testAccountSchema> => ({
  ...testAccount,
  createdAt: testAccount.createdAt.toISOString(),
});

export default function testAccountRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function requireAccount(id: string) {
    const account = await findAccountById(app.db, id);
    if (!account) throw notFound('account', id);
    return account;
  }

  r.post(
    '/v1/accounts/:id/test-accounts',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: "Register an X user to receive this sender account's rehearsal DMs (admin)",
        description:
          `A campaign's \`testAccounts\` must be registered here for its sender account, or ` +
          `preflight blocks launch. At most ${maxTestAccountsPerSender} per sender account (409 ` +
          '`test_accounts_full`); registering one again answers 200 with the registration as it was.',
        tags: ['accounts'],
        params: idParamsSchema,
        body: z
          .object({
            xUserId: xUserIdSchema,
            label: z.string().trim().min(1).max(100).optional().describe('Who it is, for people'),
          })
          .strict(),
        response: {
          200: z.object({ testAccount: testAccountSchema }),
          201: z.object({ testAccount: testAccountSchema }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const account = await requireAccount(request.params.id);
      const { xUserId, label } = request.body;
      if ((await countTestAccounts(app.db, account.id)) >= maxTestAccountsPerSender) {
        const existing = await listTestAccounts(app.db, account.id, {
          limit: maxTestAccountsPerSender,
          offset: 0,
        });
        if (!existing.some((t) => t.xUserId === xUserId)) {
          throw new AppError(
            409,
            'test_accounts_full',
            `Sender account '${account.id}' already has ${maxTestAccountsPerSender} test accounts; remove one first / ` +
              `テストアカウントは送信アカウントごとに${maxTestAccountsPerSender}件までです。先に削除してください`,
          );
        }
      }
      const { testAccount, created } = await insertTestAccount(app.db, {
        accountId: account.id,
        xUserId,
        label: label ?? null,
        addedBy: actorId(request),
      });
      if (created) {
        await insertAuditEntry(app.db, {
          actor: actorId(request),
          action: 'account.test_account_add',
          subject: account.id,
          outcome: 'ok',
          details: { xUserId },
        });
      }
      return reply
        .status(created ? 201 : 200)
        .send({ testAccount: presentTestAccount(testAccount) });
    },
  );

  r.get(
    '/v1/accounts/:id/test-accounts',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: "The X users registered to receive this sender account's rehearsal DMs",
        tags: ['accounts'],
        params: idParamsSchema,
        querystring: pageQuerySchema,
        response: {
          200: z.object({ testAccounts: z.array(testAccountSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const account = await requireAccount(request.params.id);
      const testAccounts = await listTestAccounts(app.db, account.id, request.query);
      return { testAccounts: testAccounts.map(presentTestAccount) };
    },
  );

  r.delete(
    '/v1/accounts/:id/test-accounts/:xUserId',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Remove a registered test account (admin; no request body)',
        description:
          'A campaign that still lists it is blocked at its next preflight until it is removed from its `testAccounts`.',
        tags: ['accounts'],
        params: idParamsSchema.extend({ xUserId: xUserIdSchema }),
        response: { 204: z.null().describe('Removed; no content'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const account = await requireAccount(request.params.id);
      if (!(await deleteTestAccount(app.db, account.id, request.params.xUserId))) {
        throw notFound('test_account', request.params.xUserId);
      }
      await insertAuditEntry(app.db, {
        actor: actorId(request),
        action: 'account.test_account_remove',
        subject: account.id,
        outcome: 'ok',
        details: { xUserId: request.params.xUserId },
      });
      return reply.status(204).send(null);
    },
  );
}
