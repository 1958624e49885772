import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyResultLinkToken } from '../../domain/result-links';
import { loadPageCampaign, renderParticipantPage } from '../participant-context';
import { notFoundPage, sendPage } from '../participant-pages';
import type { SignInNotice } from '../participant-view';

const resultParamsSchema = z.object({
  campaignId: z.string().describe('The campaign id'),
  xUserId: z.string().describe("The participant's X user id"),
  token: z.string().describe('HMAC of the user id keyed by the campaign secret seed'),
});

export default function resultRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/r/:campaignId/:xUserId/:token',
    {
      schema: {
        summary:
          "A participant's result page (HTML, Japanese then English), opened from the personal " +
          'link in their DM or reply: the same participant view as the signed-in campaign page ' +
          '(result, verification code, claim form). No API key: the token in the link is the ' +
          'credential. A bad token, an unknown campaign and a campaign without a secret seed all ' +
          'answer the same 404 page',
        tags: ['participants'],
        security: [],
        params: resultParamsSchema,
        querystring: z.object({
          notice: z.string().optional().describe('A note to show (unknown ones are ignored)'),
        }),
        produces: ['text/html'],
        response: {
          200: z.string().describe('text/html; charset=utf-8'),
          404: z.string().describe('text/html; charset=utf-8'),
        },
      },
    },
    async (request, reply) => {
      const { campaignId, xUserId, token } = request.params;
      const campaign = await loadPageCampaign(app, campaignId);
      if (!campaign?.secretSeed || !verifyResultLinkToken(campaign.secretSeed, xUserId, token)) {
        return sendPage(reply, 404, notFoundPage());
      }
      const body = await renderParticipantPage(app, {
        campaign,
        viewer: { kind: 'link', xUserId, token },
        notice: request.query.notice === 'claimed' ? ('claimed' satisfies SignInNotice) : null,
      });
      return sendPage(reply, 200, body);
    },
  );

  // A link cut short before its token gets the participant's page, not the API's JSON 404.
  r.get('/r/:campaignId/:xUserId', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, 404, notFoundPage()),
  );
}
