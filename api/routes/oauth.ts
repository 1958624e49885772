import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linkOutcomePage } from '../oauth-pages';
import { errorResponseSchema } from '../schemas/common';
import { CALLBACK_PATH, completeLink } from '../x-linking';

const html = z.string().describe('text/html; charset=utf-8');

const callbackQuerySchema = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

/** Where X sends the person back after its consent screen (registered in the developer portal). */
export default function oauthRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    CALLBACK_PATH,
    {
      schema: {
        summary:
          "X's OAuth 2.0 callback: finishes linking a sender account and shows the person a page " +
          '(Japanese, then English). No API key: the single-use state the connect call issued is ' +
          'the credential. Denied consent, a used or expired state, a refused exchange and a ' +
          'different X user on re-link store nothing',
        tags: ['accounts'],
        security: [],
        querystring: callbackQuerySchema,
        produces: ['text/html'],
        response: {
          200: html.describe('Connected (text/html)'),
          403: html.describe('Consent denied on X; nothing stored (text/html)'),
          409: html.describe(
            'Signed in as another X user, or a handle another account holds (text/html)',
          ),
          410: html.describe('The link was already used or expired (text/html)'),
          422: html.describe('A state Kuji never issued, or no code (text/html)'),
          502: html.describe('X refused the code exchange (text/html)'),
          503: errorResponseSchema.describe('Linking is not configured'),
        },
      },
    },
    async (request, reply) => {
      const outcome = await completeLink(app, request.query);
      const page = linkOutcomePage(outcome, '/docs');
      return reply
        .status(page.status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .send(page.html);
    },
  );
}
