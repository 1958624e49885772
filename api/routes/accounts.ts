import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type Account,
  clearAccountHalt,
  findAccountById,
  insertAccount,
  listAccounts,
} from '../../db/repositories/accounts';
import { findCampaignById } from '../../db/repositories/campaigns';
import { listInterventions } from '../../db/repositories/interventions';
import { xErrorWords } from '../../domain/x-error-catalog';
import { resolveInterventionUpdate } from '../../workflows/messages';
import { runCampaignUpdate } from '../campaign-workflow';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { actorId, roles } from '../plugins/auth';
import { AppError, notFound } from '../errors';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { pageQuerySchema } from '../schemas/pagination';
import { accountSchema, createAccountBodySchema } from '../schemas/accounts';
import { acceptEmptyBodies } from '../empty-bodies';
import testAccountRoutes from './test-accounts';

export function presentAccount(account: Account): z.infer<typeof accountSchema> {
  return {
    ...account,
    halt: account.halt && { ...account.halt, error: xErrorWords(account.halt.code) },
    haltedAt: account.haltedAt?.toISOString() ?? null,
    createdAt: account.createdAt.toISOString(),
  };
}

export default function accountRoutes(app: FastifyInstance) {
  acceptEmptyBodies(app);
  testAccountRoutes(app);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/accounts',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Register an X sender account (the shell that connect then links to X)',
        description:
          'Name, timezone and daily DM cap; the handle is optional, as linking records the one X reports. Then `POST /v1/accounts/:id/connect`.',
        tags: ['accounts'],
        body: createAccountBodySchema,
        response: { 201: z.object({ account: accountSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      // Not linked yet and no handle given: a provisional one no X handle can equal.
      const handle = body.handle?.replace(/^@/, '') ?? `~${body.id}`;
      const account = await insertAccount(app.db, { ...body, handle });
      if (!account)
        throw new AppError(
          409,
          'account_exists',
          `Account '${body.id}' or handle '@${handle}' already exists`,
        );
      await insertAuditEntry(app.db, {
        actor: actorId(request),
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
        summary: 'List sender accounts by id, a page at a time',
        tags: ['accounts'],
        querystring: pageQuerySchema,
        response: { 200: z.object({ accounts: z.array(accountSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      accounts: (await listAccounts(app.db, request.query)).map(presentAccount),
    }),
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

  r.post(
    '/v1/accounts/:id/resume',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary: 'Resume sending on a halted account, for every campaign it halted',
        description:
          'A restriction (226, 326, …) or lost authorisation halts every campaign on the account. Fix it on X first; this clears the halt and resolves each campaign’s stop with `resume`.',
        tags: ['accounts'],
        params: idParamsSchema,
        body: z
          .object({ note: z.string().max(1000).optional() })
          .strict()
          .default({}),
        response: {
          200: z.object({
            account: accountSchema,
            wasHalted: z.boolean(),
            resumedCampaigns: z.array(z.string()),
            failedCampaigns: z.array(z.object({ campaignId: z.string(), code: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const account = await findAccountById(app.db, request.params.id);
      if (!account) throw notFound('account', request.params.id);
      if (
        account.status === 'disconnected' ||
        (account.halt?.category === 'auth' && !account.linked)
      ) {
        throw new AppError(
          409,
          'account_disconnected',
          `Account '${account.id}' is not connected to X: re-link it (POST /v1/accounts/${account.id}/connect), then resume`,
        );
      }
      const actor = actorId(request);
      const wasHalted = await clearAccountHalt(app.db, account.id);
      const stops = await listInterventions(app.db, {
        accountId: account.id,
        kind: 'sender_halted',
        status: 'open',
      });
      const resumedCampaigns: string[] = [];
      const failedCampaigns: { campaignId: string; code: string }[] = [];
      for (const stop of stops) {
        const campaign = stop.campaignId
          ? await findCampaignById(app.db, stop.campaignId)
          : undefined;
        if (!campaign) continue;
        try {
          await runCampaignUpdate(
            app,
            campaign,
            { actor, action: 'intervention.resolve', subject: stop.id },
            (handle) =>
              handle.executeUpdate(resolveInterventionUpdate, {
                args: [
                  {
                    by: actor,
                    interventionId: stop.id,
                    resolution: 'resume',
                    ...(request.body.note ? { note: request.body.note } : {}),
                  },
                ],
              }),
          );
          resumedCampaigns.push(campaign.id);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          failedCampaigns.push({ campaignId: campaign.id, code: error.code });
        }
      }
      await insertAuditEntry(app.db, {
        actor,
        action: 'account.resume',
        subject: account.id,
        outcome: 'ok',
        details: { wasHalted, resumedCampaigns, failedCampaigns },
      });
      const current = (await findAccountById(app.db, account.id)) ?? account;
      return { account: presentAccount(current), wasHalted, resumedCampaigns, failedCampaigns };
    },
  );
}
