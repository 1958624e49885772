/**
 * A sender account's link to X: connect (X's authorize URL), disconnect (revoke at X and clear),
 * and the import of existing OAuth 1.0a tokens. Tokens go in, never out.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  accountHasCampaigns,
  findAccountById,
  recordAccountLink,
} from '../../db/repositories/accounts';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import { getMe, XCallError } from '../../x/api';
import { createXClient } from '../../x/client';
import { oauth1CredentialsSchema, storeAccountCredentials } from '../../x/credentials';
import { acceptEmptyBodies } from '../empty-bodies';
import { AppError, notFound } from '../errors';
import { actorId, roles } from '../plugins/auth';
import { accountSchema } from '../schemas/accounts';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { disconnectAccount, requireLinking, startLink } from '../x-linking';
import { presentAccount } from './accounts';

const connectAnswerSchema = z.object({
  authorizeUrl: z.string().describe("Open it in a browser signed in to X as the brand's account"),
  expiresAt: z.string().describe('The link works once, until then (10 minutes)'),
});

const oauth1ImportSchema = oauth1CredentialsSchema
  .omit({ kind: true, userId: true })
  .extend({
    appKey: z.string().min(1).max(200),
    appSecret: z.string().min(1).max(200),
    accessToken: z.string().min(1).max(200),
    accessSecret: z.string().min(1).max(200),
  })
  .strict();

const unavailable = { 503: errorResponses[400].describe('Linking is not configured') };

export default function accountLinkRoutes(app: FastifyInstance) {
  acceptEmptyBodies(app);
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function requireAccount(id: string) {
    const account = await findAccountById(app.db, id);
    if (!account) throw notFound('account', id);
    return account;
  }

  r.post(
    '/v1/accounts/:id/connect',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Start linking the account to X (OAuth 2.0 with PKCE): answers the authorize URL',
        description:
          "Open `authorizeUrl` in a browser signed in to X as the brand's account and approve. X returns to `/v1/oauth/x/callback`, which stores the tokens and shows the result. Re-linking an account with campaigns must sign in as the same X user.",
        tags: ['accounts'],
        params: idParamsSchema,
        body: z.object({}).strict().default({}),
        response: { 200: connectAnswerSchema, ...errorResponses, ...unavailable },
      },
    },
    async (request) => {
      const account = await requireAccount(request.params.id);
      const actor = actorId(request);
      const answer = await startLink(app, { accountId: account.id, requestedBy: actor });
      await insertAuditEntry(app.db, {
        actor,
        action: 'account.connect',
        subject: account.id,
        outcome: 'ok',
      });
      return answer;
    },
  );

  r.delete(
    '/v1/accounts/:id/connection',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: "Disconnect the account from X: revoke its token at X and clear Kuji's copy",
        tags: ['accounts'],
        params: idParamsSchema,
        response: {
          200: z.object({
            account: accountSchema,
            wasLinked: z.boolean(),
            revokedAtX: z.boolean(),
            revokeError: z.string().optional(),
          }),
          ...errorResponses,
          ...unavailable,
        },
      },
    },
    async (request) => {
      const account = await requireAccount(request.params.id);
      const result = await disconnectAccount(app, account.id);
      await insertAuditEntry(app.db, {
        actor: actorId(request),
        action: 'account.disconnect',
        subject: account.id,
        outcome: 'ok',
        details: result,
      });
      const current = (await findAccountById(app.db, account.id)) ?? account;
      return { account: presentAccount(current), ...result };
    },
  );

  r.put(
    '/v1/accounts/:id/credentials',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary: 'Import existing OAuth 1.0a tokens of an X app (never returned)',
        description:
          'For apps that still use OAuth 1.0a user tokens. Kuji checks them with `GET /2/users/me` before storing them encrypted; an account with campaigns keeps its X user.',
        tags: ['accounts'],
        params: idParamsSchema,
        body: oauth1ImportSchema,
        response: { 200: z.object({ account: accountSchema }), ...errorResponses, ...unavailable },
      },
    },
    async (request) => {
      const linking = requireLinking(app);
      const account = await requireAccount(request.params.id);
      const credentials = { kind: 'oauth1' as const, ...request.body };
      let me;
      try {
        me = (await getMe(createXClient(credentials, linking.client.api))).user;
      } catch (error) {
        if (!(error instanceof XCallError)) throw error;
        throw new AppError(
          400,
          'credentials_rejected',
          `X refused these tokens (${error.xError.code}): ${error.xError.reason.en}`,
        );
      }
      if (
        account.xUserId !== null &&
        account.xUserId !== me.id &&
        (await accountHasCampaigns(app.db, account.id))
      ) {
        throw new AppError(
          409,
          'x_user_mismatch',
          `These tokens belong to @${me.username}; account '${account.id}' has campaigns and stays @${account.handle}`,
        );
      }
      if (!(await recordAccountLink(app.db, account.id, { handle: me.username, xUserId: me.id }))) {
        throw new AppError(409, 'account_exists', `@${me.username} is another sender account`);
      }
      await storeAccountCredentials(
        credentialsEnvelopeStore(app.db),
        linking.credentialsKey,
        account.id,
        {
          ...credentials,
          userId: me.id,
        },
      );
      await insertAuditEntry(app.db, {
        actor: actorId(request),
        action: 'account.credentials_import',
        subject: account.id,
        outcome: 'ok',
        details: { kind: 'oauth1', xUserId: me.id, handle: me.username },
      });
      const current = (await findAccountById(app.db, account.id)) ?? account;
      return { account: presentAccount(current) };
    },
  );
}
