import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiRole } from '../../db/database';
import { type ApiKeyPrincipal, findApiKeyBySecret } from '../../db/repositories/api-keys';
import { consoleSessionOf } from '../console-session';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiKeyPrincipal | null;
  }
  interface FastifyInstance {
    /**
     * onRequest hook: a valid bearer key, else a live console session cookie (with
     * `x-csrf-token` on unsafe methods), whose role is one of `roles` (admin always passes).
     */
    authorize(roles: readonly ApiRole[]): onRequestAsyncHookHandler;
  }
}

/** Who may do what; admin may do everything. */
export const roles = {
  read: ['viewer', 'operator', 'approver'],
  operate: ['operator'],
  approve: ['approver'],
  pause: ['operator', 'approver'],
  admin: [],
} as const satisfies Record<string, readonly ApiRole[]>;

/**
 * Who is acting: the API key's id. Key names are for display (unique among live keys, but a
 * revoked key's name can be reused), so the audit log, authorship and approvals record the id,
 * the same id an approval typed in the Temporal Web UI must name.
 */
export function actorId(request: FastifyRequest): string {
  return request.principal?.id ?? 'anonymous';
}

/**
 * Who sends the request: `Authorization: Bearer <key>` (never needs a CSRF token: a browser does
 * not attach it by itself), else the console's session cookie (see api/console-session.ts).
 */
async function principalOf(app: FastifyInstance, request: FastifyRequest) {
  const match = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
  if (match?.[1]) {
    const principal = await findApiKeyBySecret(app.db, match[1]);
    if (!principal) throw new AppError(401, 'unauthorized', 'Unknown or revoked API key');
    return principal;
  }
  const signedIn = await consoleSessionOf(app.db, request, new Date());
  if (signedIn) return signedIn.session.principal;
  throw new AppError(
    401,
    'unauthorized',
    'Missing API key: send `Authorization: Bearer <key>`, or sign in to the console ' +
      '(`POST /v1/console/session`) / API キーがありません。`Authorization: Bearer <key>` を' +
      '送るか、コンソールにサインインしてください',
  );
}

export default fp(function auth(app: FastifyInstance) {
  app.decorateRequest('principal', null);
  app.decorate('authorize', (allowed: readonly ApiRole[]): onRequestAsyncHookHandler => {
    return async (request) => {
      const principal = await principalOf(app, request);
      if (principal.role !== 'admin' && !allowed.includes(principal.role)) {
        throw new AppError(
          403,
          'forbidden',
          `Role '${principal.role}' may not do this; allowed: ${['admin', ...allowed].join(', ')}`,
        );
      }
      request.principal = principal;
    };
  });
});
