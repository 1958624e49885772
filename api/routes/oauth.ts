import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linkOutcomePage } from '../oauth-pages';
import { campaignPath } from '../participant-context';
import {
  clearedSignInNonceCookie,
  sessionCookie,
  sessionValue,
  signInNonceFrom,
} from '../participant-session';
import {
  finishParticipantSignIn,
  participantAuth,
  type SignInOutcome,
} from '../participant-signin';
import { errorResponseSchema } from '../schemas/common';
import { CALLBACK_PATH, claimCallbackState, finishLink, type LinkOutcome } from '../x-linking';

const html = z.string().describe('text/html; charset=utf-8');

const callbackQuerySchema = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

const signInNotices: Record<Exclude<SignInOutcome['status'], 'signed_in'>, string> = {
  denied: 'denied',
  failed: 'failed',
  state_used: 'expired',
  state_expired: 'expired',
  other_browser: 'restart',
};

/**
 * Where X sends the person back after its consent screen (the one callback registered in the
 * developer portal). The state says which flow it finishes: a sender account's link (a page for
 * the admin) or a participant's sign-in (back to the campaign's page, signed in).
 */
export default function oauthRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    CALLBACK_PATH,
    {
      schema: {
        summary:
          "X's OAuth 2.0 callback. For a sender account's link: finishes linking and shows the " +
          'person a page (Japanese, then English). For a participant signing in on a campaign ' +
          "page: reads who signed in, revokes X's token, sets the session cookie and redirects " +
          'to the campaign page (303; with `?notice=denied|failed|expired|restart` when it did ' +
          'not work). A participant callback needs the sign-in cookie set when this browser ' +
          'started sign-in (`kuji_signin_<first 16 hex of the state hash>`, its nonce matching ' +
          'the state): without it, `restart`, no session and no cookie touched (a link someone ' +
          'else started cannot sign this browser in nor cancel its own pending sign-ins); ' +
          'otherwise only that cookie is cleared. No API key: the ' +
          'single-use state Kuji issued is the credential. Denied consent, ' +
          'a used or expired state, a refused exchange and a different X user on re-link store ' +
          'nothing',
        tags: ['accounts', 'participants'],
        security: [],
        querystring: callbackQuerySchema,
        produces: ['text/html'],
        response: {
          200: html.describe('Connected (text/html)'),
          303: z.null().describe('A participant: back to the campaign page'),
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
      const query = request.query;
      const claimed = await claimCallbackState(app, query);
      const auth = participantAuth(app);
      if (claimed.status === 'claimed' && claimed.claim.purpose === 'participant_signin' && auth) {
        // A claimed state came with the query, so it is there.
        const state = query.state ?? '';
        const outcome = await finishParticipantSignIn(app, auth, claimed.claim, {
          ...query,
          browserNonce: signInNonceFrom(request.headers.cookie, state),
        });
        const page = campaignPath(outcome.campaignId);
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
        if (outcome.status === 'other_browser') {
          // Not this browser's sign-in: its own pending sign-ins (other cookies) stay as they are.
          return reply.redirect(`${page}?notice=${signInNotices[outcome.status]}`, 303);
        }
        // This state's sign-in cookie did its one job; only that one is cleared.
        const clearNonce = clearedSignInNonceCookie(state, auth.secureCookies);
        if (outcome.status !== 'signed_in') {
          return reply
            .header('set-cookie', clearNonce)
            .redirect(`${page}?notice=${signInNotices[outcome.status]}`, 303);
        }
        const value = sessionValue(auth.sessionKey, { ...outcome, now: new Date() });
        return reply
          .header('set-cookie', [sessionCookie(value, auth.secureCookies), clearNonce])
          .redirect(page, 303);
      }
      if (
        (claimed.status === 'used' || claimed.status === 'expired') &&
        claimed.binding.purpose === 'participant_signin'
      ) {
        return reply
          .header('cache-control', 'no-store')
          .redirect(`${campaignPath(claimed.binding.campaignId)}?notice=expired`, 303);
      }
      let outcome: LinkOutcome;
      if (claimed.status === 'claimed') {
        outcome =
          claimed.claim.purpose === 'account_link'
            ? await finishLink(app, claimed.claim, query)
            : { status: 'state_unknown' };
      } else {
        outcome = {
          status: claimed.status === 'bad_request' ? 'bad_request' : `state_${claimed.status}`,
        };
      }
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
