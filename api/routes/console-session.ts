import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiKeyPrincipal } from '../../db/repositories/api-keys';
import { findApiKeyBySecret } from '../../db/repositories/api-keys';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import {
  deleteExpiredConsoleSessions,
  insertConsoleSession,
  revokeConsoleSession,
} from '../../db/repositories/console-sessions';
import {
  CONSOLE_SESSION_LIFETIME_MS,
  clearedConsoleSessionCookie,
  consoleCsrfToken,
  consoleSessionCookie,
  consoleSessionOf,
  createConsoleSessionToken,
  endConsoleSessionOfCookie,
  hashConsoleSessionToken,
  secureConsoleCookies,
} from '../console-session';
import { AppError } from '../errors';
import { consoleSessionSchema, signInBodySchema } from '../schemas/console-session';
import { errorResponseSchema } from '../schemas/common';

/** Sign-in attempts per client address per minute, right keys or wrong. */
export const CONSOLE_SIGN_INS_PER_MINUTE = 10;

export interface ConsoleSessionRouteOptions {
  /** `PUBLIC_BASE_URL`: when https, the cookie is Secure even behind a proxy speaking http. */
  publicBaseUrl?: string;
}

const sessionSecurity = [{ consoleSession: [] }];

const refused = () =>
  new AppError(
    401,
    'unauthorized',
    'Unknown or revoked API key / API キーが正しくないか、無効化されています',
  );

const noSession = () =>
  new AppError(
    401,
    'unauthorized',
    'Not signed in to the console: `POST /v1/console/session` with an API key / ' +
      'コンソールにサインインしていません',
  );

function sessionBody(principal: ApiKeyPrincipal, token: string, expiresAt: Date) {
  return { principal, csrfToken: consoleCsrfToken(token), expiresAt: expiresAt.toISOString() };
}

export default function consoleSessionRoutes(
  app: FastifyInstance,
  options: ConsoleSessionRouteOptions,
) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const signInLimiter = app.createRateLimit({
    max: CONSOLE_SIGN_INS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => `console-signin:${request.ip}`,
  });
  // A preHandler, so a malformed request is refused (400) before it uses up an attempt.
  async function limitSignIns(request: FastifyRequest, reply: FastifyReply) {
    const limit = await signInLimiter(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    void reply.header('retry-after', limit.ttlInSeconds);
    throw new AppError(
      429,
      'rate_limited',
      `Too many sign-in attempts from this address; retry in ${limit.ttlInSeconds} s / ` +
        `サインインの試行が多すぎます。${limit.ttlInSeconds} 秒後に再試行してください`,
      { scope: 'console_signin', retryAfterSeconds: limit.ttlInSeconds },
    );
  }

  r.post(
    '/v1/console/session',
    {
      preHandler: limitSignIns,
      schema: {
        summary: 'Sign in to the console with an API key: sets the session cookie',
        description:
          'Answers the principal, the CSRF token and the expiry, and sets `kuji_console` ' +
          '(HttpOnly, SameSite=Strict, Path=/, Secure over https), a session of 12 hours at ' +
          'most that ends when its API key is revoked. Only JSON is taken, so another site ' +
          `cannot sign a browser in. ${CONSOLE_SIGN_INS_PER_MINUTE} attempts a minute per ` +
          'address (429 past them); every attempt is in the audit log (never the key).',
        tags: ['console'],
        security: [],
        body: signInBodySchema,
        response: {
          200: consoleSessionSchema.describe('Signed in; `set-cookie` carries the session'),
          401: errorResponseSchema.describe('Unknown or revoked API key; no cookie is set'),
          429: errorResponseSchema.describe(
            `More than ${CONSOLE_SIGN_INS_PER_MINUTE} sign-in attempts a minute from this address ` +
              '(or the general limits); `retry-after` gives the seconds to wait',
          ),
        },
      },
    },
    async (request, reply) => {
      const now = new Date();
      const principal = await findApiKeyBySecret(app.db, request.body.apiKey);
      const address = request.ip;
      if (!principal) {
        await insertAuditEntry(app.db, {
          actor: 'anonymous',
          action: 'console.signin',
          outcome: 'refused',
          details: { address },
        });
        throw refused();
      }
      await deleteExpiredConsoleSessions(app.db, now);
      const replaced = await endConsoleSessionOfCookie(app.db, request, now);
      if (replaced) {
        await insertAuditEntry(app.db, {
          actor: replaced.principal.id,
          action: 'console.signout',
          subject: replaced.principal.id,
          outcome: 'ok',
          details: { reason: 'signed_in_again', address },
        });
      }
      const token = createConsoleSessionToken();
      const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_LIFETIME_MS);
      await insertConsoleSession(app.db, {
        tokenHash: hashConsoleSessionToken(token),
        apiKeyId: principal.id,
        createdAt: now,
        expiresAt,
      });
      await insertAuditEntry(app.db, {
        actor: principal.id,
        action: 'console.signin',
        subject: principal.id,
        outcome: 'ok',
        details: { address, expiresAt: expiresAt.toISOString() },
      });
      const secure = secureConsoleCookies(request, options.publicBaseUrl);
      return reply
        .header('set-cookie', consoleSessionCookie(token, { now, expiresAt }, secure))
        .header('cache-control', 'no-store')
        .send(sessionBody(principal, token, expiresAt));
    },
  );

  r.get(
    '/v1/console/session',
    {
      schema: {
        summary: "The console session's principal, CSRF token and expiry (after a reload)",
        tags: ['console'],
        security: sessionSecurity,
        response: {
          200: consoleSessionSchema,
          401: errorResponseSchema.describe(
            'No session cookie, or the session expired, was signed out, or its API key was revoked',
          ),
        },
      },
    },
    async (request, reply) => {
      const signedIn = await consoleSessionOf(app.db, request, new Date());
      if (!signedIn) throw noSession();
      const { session, token } = signedIn;
      return reply
        .header('cache-control', 'no-store')
        .send(sessionBody(session.principal, token, session.expiresAt));
    },
  );

  r.delete(
    '/v1/console/session',
    {
      schema: {
        summary: 'Sign out of the console: ends the session and clears its cookie (no body)',
        description: 'Needs the `x-csrf-token` header, like every unsafe method with the cookie.',
        tags: ['console'],
        security: sessionSecurity,
        response: {
          204: z.null().describe('Signed out; `set-cookie` clears the cookie'),
          401: errorResponseSchema.describe(
            'No session cookie, or the session already ended (its cookie is cleared)',
          ),
          403: errorResponseSchema.describe(
            '`csrf_failed`: the `x-csrf-token` header is missing or wrong',
          ),
        },
      },
    },
    async (request, reply) => {
      const now = new Date();
      const secure = secureConsoleCookies(request, options.publicBaseUrl);
      const signedIn = await consoleSessionOf(app.db, request, now).catch((error: unknown) => {
        // A dead session's cookie is useless: clear it with the 401.
        if (error instanceof AppError && error.statusCode === 401) {
          void reply.header('set-cookie', clearedConsoleSessionCookie(secure));
        }
        throw error;
      });
      if (!signedIn) throw noSession();
      await revokeConsoleSession(app.db, hashConsoleSessionToken(signedIn.token), now);
      await insertAuditEntry(app.db, {
        actor: signedIn.session.principal.id,
        action: 'console.signout',
        subject: signedIn.session.principal.id,
        outcome: 'ok',
      });
      return reply.status(204).header('set-cookie', clearedConsoleSessionCookie(secure)).send(null);
    },
  );
}
