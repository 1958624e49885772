import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiRole } from '../../db/database';
import { AppError } from '../errors';
import { roles } from '../plugins/auth';
import { errorResponses } from '../schemas/common';
import { permissionsSchema, principalSchema } from '../schemas/console-session';

type Action = keyof typeof roles;

/** What `role` may do, read from the same matrix every route authorizes with. */
export function permissionsOf(role: ApiRole): Record<Action, boolean> {
  const can = (action: Action) =>
    role === 'admin' || (roles[action] as readonly ApiRole[]).includes(role);
  return {
    read: can('read'),
    operate: can('operate'),
    approve: can('approve'),
    pause: can('pause'),
    admin: can('admin'),
  };
}

export default function meRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/me',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'Who the credential is (bearer key or console session) and what its role may do',
        tags: ['console'],
        response: {
          200: z.object({ principal: principalSchema, can: permissionsSchema }),
          ...errorResponses,
        },
      },
    },
    (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError(401, 'unauthorized', 'Not authenticated');
      return { principal, can: permissionsOf(principal.role) };
    },
  );
}
