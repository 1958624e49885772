/**
 * Operators read the claims of a campaign (who claimed, the answers they gave, decrypted) to send
 * the prizes, as JSON or as CSV for Excel; an admin purges the answers before their retention
 * ends. Every read and purge is audited: the answers are personal data.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { listClaimsForOperators, purgeClaimData } from '../../db/repositories/claims';
import { claimFields } from '../../domain/claims';
import { ClaimDataError, openClaimAnswers } from '../claim-answers';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { participantAuth } from '../participant-signin';
import { actorId, roles } from '../plugins/auth';
import { errorResponses, errorResponseSchema, idParamsSchema } from '../schemas/common';
import { csvField } from './reports';

const claimSchema = z.object({
  xUserId: z.string(),
  prizeId: z.string().nullable(),
  state: z.enum(['open', 'claimed', 'forfeited']),
  openedAt: z.string(),
  deadlineAt: z.string(),
  claimedAt: z.string().nullable(),
  forfeitedAt: z.string().nullable(),
  promotedAt: z.string().nullable(),
  replacesXUserId: z.string().nullable(),
  dataPurgedAt: z.string().nullable(),
  answers: z
    .record(z.string(), z.string())
    .nullable()
    .describe(
      'The claim form’s answers (name, email, postalAddress, phone as asked); null when none or purged',
    ),
});

const claimsResponseSchema = z.object({ campaignId: z.string(), claims: z.array(claimSchema) });
const utf8Bom = '\uFEFF';
const operatorRoles = roles.operate;

type ClaimRow = z.infer<typeof claimSchema>;

function claimsKey(): Buffer {
  throw new AppError(
    503,
    'claims_key_not_configured',
    'Claim answers are sealed with KUJI_ENCRYPTION_KEY, which this API was not given (see docs/participants.md)',
  );
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

async function loadClaims(
  app: FastifyInstance,
  request: FastifyRequest,
  id: string,
  format: string,
) {
  const campaign = await requireCampaign(app.db, id);
  const key = participantAuth(app)?.linking.credentialsKey ?? claimsKey();
  const stored = await listClaimsForOperators(app.db, campaign.id);
  let claims;
  try {
    claims = stored.map((claim) => ({ ...claim, answers: openClaimAnswers(key, claim) }));
  } catch (error) {
    if (!(error instanceof ClaimDataError)) throw error;
    throw new AppError(409, 'claim_data_unreadable', error.message);
  }
  await insertAuditEntry(app.db, {
    actor: actorId(request),
    action: 'claims.export',
    campaignId: campaign.id,
    outcome: 'ok',
    details: { format, claims: claims.length },
  });
  const rows: ClaimRow[] = claims.map((claim) => ({
    xUserId: claim.xUserId,
    prizeId: claim.prizeId,
    state: claim.state,
    openedAt: claim.openedAt.toISOString(),
    deadlineAt: claim.deadlineAt.toISOString(),
    claimedAt: iso(claim.claimedAt),
    forfeitedAt: iso(claim.forfeitedAt),
    promotedAt: iso(claim.promotedAt),
    replacesXUserId: claim.replacesXUserId,
    dataPurgedAt: iso(claim.dataPurgedAt),
    answers: claim.answers,
  }));
  return { campaign, rows };
}

const csvColumns = [
  'xUserId',
  'prizeId',
  'state',
  'openedAt',
  'deadlineAt',
  'claimedAt',
  'forfeitedAt',
  'promotedAt',
  'replacesXUserId',
  'dataPurgedAt',
] as const;

/** One row per claim, answers in their own columns; UTF-8 with a BOM, CRLF (Excel). */
export function claimsCsv(rows: readonly ClaimRow[]): string {
  const lines = [[...csvColumns, ...claimFields].map(csvField).join(',')];
  for (const row of rows) {
    lines.push(
      [
        ...csvColumns.map((column) => row[column]),
        ...claimFields.map((field) => row.answers?.[field] ?? null),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return utf8Bom + lines.join('\r\n') + '\r\n';
}

export default function claimRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/campaigns/:id/claims',
    {
      onRequest: app.authorize(operatorRoles),
      schema: {
        summary:
          "The campaign's claims with the answers decrypted, for sending prizes (admin and " +
          'operator only; audited as claims.export)',
        tags: ['claims'],
        params: idParamsSchema,
        response: { 200: claimsResponseSchema, ...errorResponses, 503: errorResponseSchema },
      },
    },
    async (request) => {
      const { campaign, rows } = await loadClaims(app, request, request.params.id, 'json');
      return { campaignId: campaign.id, claims: rows };
    },
  );

  r.get(
    '/v1/campaigns/:id/claims.csv',
    {
      onRequest: app.authorize(operatorRoles),
      schema: {
        summary:
          'The claims as CSV for Excel (UTF-8 with BOM, CRLF): columns xUserId, prizeId, state, ' +
          'openedAt, deadlineAt, claimedAt, forfeitedAt, promotedAt, replacesXUserId, ' +
          'dataPurgedAt, name, email, postalAddress, phone (admin and operator only; audited)',
        description: 'Only a 200 is CSV: errors answer JSON `{ code, message }`.',
        tags: ['claims'],
        params: idParamsSchema,
        produces: ['text/csv'],
        response: {
          200: z.string().describe('text/csv; charset=utf-8, starting with a BOM'),
          ...errorResponses,
          503: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { campaign, rows } = await loadClaims(app, request, request.params.id, 'csv');
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="kuji-claims-${campaign.id}.csv"`)
        .send(claimsCsv(rows));
    },
  );

  r.post(
    '/v1/campaigns/:id/claims/purge',
    {
      onRequest: app.authorize(roles.admin),
      schema: {
        summary:
          "Purges the campaign's claim answers now (admin only; audited as claims.purge). The " +
          'claims stay, for the counts; their answers are gone for good',
        tags: ['claims'],
        params: idParamsSchema,
        response: { 200: z.object({ purged: z.int() }), ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const result = await purgeClaimData(app.db, { campaignId: campaign.id, now: new Date() });
      await insertAuditEntry(app.db, {
        actor: actorId(request),
        action: 'claims.purge',
        campaignId: campaign.id,
        outcome: 'ok',
        details: result,
      });
      return result;
    },
  );
}
