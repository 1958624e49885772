import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiRole } from '../../db/database';
import { type ApiKeyPrincipal, findApiKeyBySecret } from '../../db/repositories/api-keys';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiKeyPrincipal | null;
  }
  interface FastifyInstance {
    /** onRequest hook: a valid bearer key whose role is one of `roles` (admin always passes). */
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

export default fp(function auth(app: FastifyInstance) {
  app.decorateRequest('principal', null);
  app.decorate('authorize', (allowed: readonly ApiRole[]): onRequestAsyncHookHandler => {
    return async (request) => {
      const header = request.headers.authorization;
      const match = header?.match(/^Bearer\s+(\S+)$/i);
      if (!match?.[1]) {
        throw new AppError(
          401,
          'unauthorized',
          'Missing API key: send `Authorization: Bearer <key>`',
        );
      }
      const principal = await findApiKeyBySecret(app.db, match[1]);
      if (!principal) throw new AppError(401, 'unauthorized', 'Unknown or revoked API key');
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
