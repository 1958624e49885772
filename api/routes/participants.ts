/**
 * A campaign's public page for participants: `/c/:campaignId` (Japanese first, then English),
 * "Sign in with X", the claim form's submission, sign-out, and the published draw
 * (`draw.json`, `entries.txt`) that anyone can re-derive. No API key anywhere here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPublishedPromotions } from '../../db/repositories/campaign-pages';
import { findDraw } from '../../db/repositories/draws';
import { verifyResultLinkToken } from '../../domain/result-links';
import { formCredential, submitClaimForm } from '../participant-claims';
import {
  campaignPath,
  loadDrawEntries,
  loadPageCampaign,
  type PageCampaign,
  type PageViewer,
  renderParticipantPage,
  resultLinkPath,
} from '../participant-context';
import {
  acceptFormBodies,
  htmlErrorsForForms,
  notFoundPage,
  sendPage,
  tooManySignInsPage,
  unreadableFormResponses,
} from '../participant-pages';
import {
  checkCsrfToken,
  clearedSessionCookie,
  readSession,
  sessionCookieFrom,
} from '../participant-session';
import { pageRateLimit } from '../page-rate-limit';
import { participantAuth, startParticipantSignIn } from '../participant-signin';
import { type SignInNotice, VERIFY_SCRIPT_PATH } from '../participant-view';
import { errorResponseSchema } from '../schemas/common';
import { AppError } from '../errors';

const htmlPage = z.string().describe('text/html; charset=utf-8');
/** Sign-in starts per address per minute: each stores a state, so a flood is refused early. */
export const SIGN_INS_PER_MINUTE = 20;
const paramsSchema = z.object({ campaignId: z.string().max(200).describe('The campaign id') });
const pageNotices = new Set<SignInNotice>([
  'denied',
  'failed',
  'expired',
  'restart',
  'signed_out',
  'claimed',
]);

/** scripts/verify-draw.mjs, served as is so participants need nothing of Kuji's source. */
export const verifyDrawScriptFile = path.join(__dirname, '..', '..', 'scripts', 'verify-draw.mjs');

const drawJsonSchema = z.object({
  campaignId: z.string(),
  seed: z.string().describe('Hex seed, secret until the draw'),
  digest: z.string().describe('Hex SHA-256 of the sorted entry ids joined with "\\n"'),
  entryCount: z.int(),
  winners: z.array(z.string()).describe('X user ids, in draw order'),
  alternates: z.array(z.string()).describe('X user ids, in promotion order'),
  promotions: z
    .array(z.object({ xUserId: z.string(), replacesXUserId: z.string(), promotedAt: z.string() }))
    .describe('Alternates given a forfeited prize, in the order they were promoted'),
  passedOver: z
    .array(z.object({ xUserId: z.string(), reason: z.string() }))
    .describe(
      'Alternates skipped at a promotion because their entry was judged otherwise after the ' +
        'draw (reason: their outcome and reason codes, e.g. "ineligible: not_following")',
    ),
  drawnAt: z.string(),
  entriesUrl: z.string().describe('The entry list the draw ran over (entries.txt)'),
});

/** The campaign if it has a public page: it exists and an approver signed it off. */
async function publicCampaign(app: FastifyInstance, campaignId: string) {
  const campaign = await loadPageCampaign(app, campaignId);
  return campaign?.approved ? campaign : undefined;
}

/** The signed-in participant of this campaign, from the session cookie. */
function sessionViewer(
  app: FastifyInstance,
  request: FastifyRequest,
  campaignId: string,
): Extract<PageViewer, { kind: 'session' }> | undefined {
  const auth = participantAuth(app);
  const cookie = sessionCookieFrom(request.headers.cookie);
  if (!auth || !cookie) return undefined;
  const session = readSession(auth.sessionKey, cookie, new Date());
  if (!session || session.campaignId !== campaignId) return undefined;
  return { kind: 'session', xUserId: session.xUserId, cookie };
}

function sendPlain(reply: FastifyReply, status: number, type: string, body: string) {
  return reply
    .status(status)
    .type(type)
    .header('cache-control', 'no-cache')
    .header('x-robots-tag', 'noindex')
    .header('x-content-type-options', 'nosniff')
    .header('access-control-allow-origin', '*')
    .send(body);
}

const claimBodySchema = z
  .record(z.string(), z.string())
  .describe(
    'application/x-www-form-urlencoded: `csrf`, the fields the campaign asks for (name, email, ' +
      'postalAddress, phone), and on a personal link `xUserId` and `token`',
  );

export default function participantRoutes(app: FastifyInstance) {
  acceptFormBodies(app);
  htmlErrorsForForms(app);
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Read once: the script is part of the deployment and does not change while it runs.
  const verifyDrawScript = readFileSync(verifyDrawScriptFile, 'utf8');
  const signInLimit = pageRateLimit(
    app,
    { name: 'signin', perMinute: SIGN_INS_PER_MINUTE, page: tooManySignInsPage },
    sendPage,
  );

  r.get(
    '/c/:campaignId',
    {
      schema: {
        summary:
          "A campaign's public page (HTML, Japanese then English): what the campaign is, how to " +
          'enter and how results are told; signed in with X, the participant’s own result, its ' +
          'verification code and the claim form; after the draw, the seed, digest and entry ' +
          'count. An unknown or unapproved campaign answers a 404 page',
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        querystring: z.object({
          notice: z.string().optional().describe('A note to show (unknown ones are ignored)'),
        }),
        produces: ['text/html'],
        response: { 200: htmlPage, 404: htmlPage },
      },
    },
    async (request, reply) => {
      const campaign = await publicCampaign(app, request.params.campaignId);
      if (!campaign) return sendPage(reply, 404, notFoundPage());
      const notice = request.query.notice as SignInNotice | undefined;
      const body = await renderParticipantPage(app, {
        campaign,
        viewer: sessionViewer(app, request, campaign.id) ?? { kind: 'anonymous' },
        notice: notice && pageNotices.has(notice) ? notice : null,
      });
      return sendPage(reply, 200, body);
    },
  );

  r.get(
    VERIFY_SCRIPT_PATH,
    {
      schema: {
        summary:
          'The re-derive script (scripts/verify-draw.mjs, Node.js built-ins only), as a download: ' +
          '`node verify-draw.mjs <draw.json> <entries.txt>` checks a published draw',
        tags: ['participants'],
        security: [],
        produces: ['text/javascript'],
        response: { 200: z.string().describe('text/javascript; charset=utf-8') },
      },
    },
    async (_request, reply) =>
      reply
        .status(200)
        .type('text/javascript; charset=utf-8')
        .header('content-disposition', 'attachment; filename="verify-draw.mjs"')
        .header('cache-control', 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('access-control-allow-origin', '*')
        .send(verifyDrawScript),
  );

  r.get(
    '/c/:campaignId/signin',
    {
      schema: {
        summary:
          "Sign in with X: redirects (303) to X's consent screen with the scopes " +
          '`users.read tweet.read` and a single-use state bound to the campaign and to this ' +
          'browser (a 10-minute HttpOnly sign-in cookie holds a random nonce; the state keeps ' +
          'its hash and the callback requires it). 503 page when ' +
          `sign-in is not configured; 429 page past ${SIGN_INS_PER_MINUTE} a minute per address`,
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        produces: ['text/html'],
        response: {
          303: z.null().describe("To X's consent screen"),
          404: htmlPage,
          429: htmlPage,
          503: htmlPage,
        },
      },
      // After validation: a malformed request is refused (400) without using up the limit.
      preHandler: signInLimit,
    },
    async (request, reply) => {
      const campaign = await publicCampaign(app, request.params.campaignId);
      if (!campaign) return sendPage(reply, 404, notFoundPage());
      const auth = participantAuth(app);
      if (!auth) {
        const body = await renderParticipantPage(app, {
          campaign,
          viewer: { kind: 'anonymous' },
          notice: null,
        });
        return sendPage(reply, 503, body);
      }
      const { authorizeUrl, signInCookie } = await startParticipantSignIn(app, auth, campaign.id);
      return reply
        .header('set-cookie', signInCookie)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .redirect(authorizeUrl, 303);
    },
  );

  r.post(
    '/c/:campaignId/signout',
    {
      schema: {
        summary:
          "Signs the participant out: clears the session cookie only when this campaign's " +
          'session and its `csrf` token come with the post (403 page for a wrong token); ' +
          'without a session here nothing changes (303 back to the page, no cookie set)',
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        body: claimBodySchema.optional(),
        produces: ['text/html'],
        response: {
          303: z.null().describe('Back to the campaign page'),
          403: htmlPage,
          ...unreadableFormResponses,
        },
      },
    },
    async (request, reply) => {
      const { campaignId } = request.params;
      const auth = participantAuth(app);
      const viewer = sessionViewer(app, request, campaignId);
      const page = `${campaignPath(campaignId)}?notice=signed_out`;
      // One cookie serves every campaign: only a post proving this campaign's session (its CSRF
      // token) may clear it. Without one here there is nothing to sign out of, and nothing is
      // changed, so another site's form (or another campaign's path) cannot sign anyone out.
      if (!viewer || !auth) return reply.header('cache-control', 'no-store').redirect(page, 303);
      if (!checkCsrfToken(auth.sessionKey, formCredential(viewer), request.body?.csrf)) {
        return sendPage(reply, 403, notFoundPage());
      }
      return reply
        .header('set-cookie', clearedSessionCookie(auth.secureCookies))
        .redirect(page, 303);
    },
  );

  r.post(
    '/c/:campaignId/claim',
    {
      schema: {
        summary:
          'Claims the prize (form post from the campaign page or a personal result link). ' +
          'Proven by the session cookie or the link’s token, and a CSRF token. Valid: stored ' +
          'sealed, the campaign is told, 303 back to the page. Invalid answers: 422 with the ' +
          'page, the form keeping what was typed. Not claimable (none, already, past the ' +
          'deadline): 409 page. Not signed in or a bad CSRF token: 403 page',
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        body: claimBodySchema,
        produces: ['text/html'],
        response: {
          303: z.null().describe('Claimed: back to the page'),
          ...unreadableFormResponses,
          403: htmlPage,
          404: htmlPage,
          409: htmlPage,
          422: htmlPage,
          503: htmlPage,
        },
      },
    },
    async (request, reply) => {
      const campaign = await publicCampaign(app, request.params.campaignId);
      if (!campaign) return sendPage(reply, 404, notFoundPage());
      const form = request.body;
      const viewer = claimViewer(app, request, campaign, form);
      const auth = participantAuth(app);
      if (!viewer) return sendPage(reply, 403, await signedOutPage(app, campaign));
      if (!auth) {
        return sendPage(
          reply,
          503,
          await renderParticipantPage(app, { campaign, viewer, notice: null }),
        );
      }
      if (!checkCsrfToken(auth.sessionKey, formCredential(viewer), form.csrf)) {
        return sendPage(reply, 403, await signedOutPage(app, campaign));
      }
      const outcome = await submitClaimForm(app, auth, campaign, viewer.xUserId, form);
      if (outcome.status === 'claimed') {
        const back =
          viewer.kind === 'link'
            ? resultLinkPath(campaign.id, viewer.xUserId, viewer.token)
            : campaignPath(campaign.id);
        return reply.header('cache-control', 'no-store').redirect(`${back}?notice=claimed`, 303);
      }
      const body = await renderParticipantPage(app, {
        campaign,
        viewer,
        notice: null,
        ...(outcome.status === 'invalid'
          ? { refusedClaim: { values: outcome.values, issues: outcome.issues } }
          : {}),
      });
      return sendPage(reply, outcome.status === 'invalid' ? 422 : 409, body);
    },
  );

  r.get(
    '/c/:campaignId/draw.json',
    {
      schema: {
        summary:
          "The campaign's published draw: seed, digest, entry count, winners and alternates in " +
          'order, promotions of alternates and the alternates passed over. With entries.txt, ' +
          '`node verify-draw.mjs` (from ' +
          `${VERIFY_SCRIPT_PATH}) re-derives it. 404 before the draw`,
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        response: { 200: drawJsonSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const campaign = await publicCampaign(app, request.params.campaignId);
      const draw = campaign ? await findDraw(app.db, campaign.id) : undefined;
      if (!campaign || !draw) throw new AppError(404, 'draw_not_found', 'No published draw here');
      const { promotions, passedOver } = await listPublishedPromotions(app.db, {
        campaignId: campaign.id,
        alternates: draw.alternates,
      });
      return reply
        .header('cache-control', 'no-cache')
        .header('x-robots-tag', 'noindex')
        .header('access-control-allow-origin', '*')
        .send({
          campaignId: campaign.id,
          seed: draw.seed,
          digest: draw.digest,
          entryCount: draw.entryCount,
          winners: draw.winners,
          alternates: draw.alternates,
          promotions: promotions.map((promotion) => ({
            ...promotion,
            promotedAt: promotion.promotedAt.toISOString(),
          })),
          passedOver,
          drawnAt: draw.createdAt.toISOString(),
          entriesUrl: `${campaignPath(campaign.id)}/entries.txt`,
        });
    },
  );

  r.get(
    '/c/:campaignId/entries.txt',
    {
      schema: {
        summary:
          'The entry list the draw ran over: X user ids (no handles), sorted, one per line ' +
          '(text/plain). Its SHA-256 over the ids joined with "\\n" is the published digest. ' +
          '404 before the draw; 503 if the stored entries no longer reproduce the digest',
        tags: ['participants'],
        security: [],
        params: paramsSchema,
        produces: ['text/plain'],
        response: {
          200: z.string().describe('text/plain; charset=utf-8'),
          404: errorResponseSchema,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const campaign = await publicCampaign(app, request.params.campaignId);
      const draw = campaign ? await findDraw(app.db, campaign.id) : undefined;
      if (!campaign || !draw) throw new AppError(404, 'draw_not_found', 'No published draw here');
      const ids = await loadDrawEntries(app, draw);
      if (!ids) {
        throw new AppError(
          503,
          'entries_unavailable',
          "The draw's entry list cannot be published: the stored entries no longer match its digest",
        );
      }
      const body = ids.length > 0 ? `${ids.join('\n')}\n` : '';
      return sendPlain(reply, 200, 'text/plain; charset=utf-8', body);
    },
  );
}

/** Who posts the claim: a personal link's holder (user + token in the form) or the session. */
function claimViewer(
  app: FastifyInstance,
  request: FastifyRequest,
  campaign: PageCampaign,
  form: Record<string, string>,
): Exclude<PageViewer, { kind: 'anonymous' }> | undefined {
  if (form.xUserId !== undefined || form.token !== undefined) {
    const { xUserId = '', token = '' } = form;
    if (!campaign.secretSeed || !verifyResultLinkToken(campaign.secretSeed, xUserId, token)) {
      return undefined;
    }
    return { kind: 'link', xUserId, token };
  }
  return sessionViewer(app, request, campaign.id);
}

function signedOutPage(app: FastifyInstance, campaign: PageCampaign) {
  return renderParticipantPage(app, { campaign, viewer: { kind: 'anonymous' }, notice: 'expired' });
}
