import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inTransaction } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import type { Campaign } from '../../db/repositories/campaigns';
import {
  findIntervention,
  type Intervention,
  listInterventions,
  resolveIntervention,
} from '../../db/repositories/interventions';
import {
  interventionCatalog,
  interventionError,
  type InterventionKind,
  openStopAnswers,
} from '../../domain/interventions';
import { type CampaignPhase, terminalPhases } from '../../domain/phases';
import {
  reportMisdeliveryUpdate,
  resendUpdate,
  resolveInterventionUpdate,
} from '../../workflows/messages';
import { runCampaignUpdate } from '../campaign-workflow';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { maskingNote, type Redactor, redactorFor } from '../redaction';
import { actorId, roles } from '../plugins/auth';
import { errorResponses, idParamsSchema } from '../schemas/common';
import { pageQuerySchema } from '../schemas/pagination';
import {
  interventionParamsSchema,
  interventionSchema,
  listInterventionsQuerySchema,
  misdeliveryBodySchema,
  resendBodySchema,
  resendResponseSchema,
  resolveInterventionBodySchema,
} from '../schemas/interventions';
import { acceptEmptyBodies } from '../empty-bodies';
import { relinkForStop } from '../x-linking';

export function presentIntervention(
  intervention: Intervention,
  redact: Redactor,
): z.infer<typeof interventionSchema> {
  const kind = intervention.kind as InterventionKind;
  const spec =
    intervention.details.afterCompletion === true
      ? notReceivedAfterCompletion
      : interventionCatalog[kind];
  return {
    id: intervention.id,
    campaignId: intervention.campaignId,
    accountId: intervention.accountId,
    kind,
    status: intervention.status,
    blocks: spec.blocks,
    title: spec.title,
    remedy: spec.remedy,
    resolutions: [
      ...spec.resolutions,
      ...(intervention.status === 'open' ? (openStopAnswers[kind] ?? []) : []),
    ],
    details: redact.details(intervention.details),
    error: interventionError(intervention.details),
    openedBy: intervention.openedBy,
    openedAt: intervention.openedAt.toISOString(),
    resolution: intervention.resolution,
    resolvedBy: intervention.resolvedBy,
    resolvedAt: intervention.resolvedAt?.toISOString() ?? null,
  };
}

/** A complaint kept after the campaign completed: nothing can be resent, a person handles it. */
const notReceivedAfterCompletion = {
  ...interventionCatalog.not_received,
  resolutions: ['dismiss'],
  remedy: {
    ja: 'キャンペーンは終了しています（Kujiからは再送しません）。配信記録を確認し、届いていなければ送信アカウントから手動で送ってから、対応済みとして閉じてください。',
    en: 'The campaign has ended (Kuji sends nothing more for it). Check the delivery record; if it did not arrive, send the result from the sender account by hand, then close the report as handled.',
  },
} as const;

/** Resolving stops: operators and approvers; approving a follow-up DM is an approver's call. */
const resolvers = ['operator', 'approver'] as const;

const pagedInterventionsQuerySchema = listInterventionsQuerySchema.extend(pageQuerySchema.shape);

export default function interventionRoutes(app: FastifyInstance) {
  acceptEmptyBodies(app);
  const r = app.withTypeProvider<ZodTypeProvider>();

  /**
   * An intervention still open on an ended campaign has no workflow to act on it: above all an
   * "I didn't get it" that came after completion, which a person checks (and answers by hand if
   * need be), then dismisses here. Kuji sends nothing after the end, so any other resolution is
   * refused with 409 `campaign_closed`.
   */
  async function resolveAfterClose(
    campaign: Campaign,
    interventionId: string,
    actor: string,
    resolution: string,
    note: string | undefined,
  ): Promise<Intervention> {
    const intervention = await findIntervention(app.db, interventionId);
    if (!intervention || intervention.campaignId !== campaign.id) {
      throw new AppError(
        404,
        'intervention_not_found',
        `Campaign '${campaign.id}' has no intervention '${interventionId}'`,
      );
    }
    const refuse = async (error: AppError) => {
      await insertAuditEntry(app.db, {
        actor,
        action: 'intervention.resolve',
        campaignId: campaign.id,
        subject: interventionId,
        outcome: 'refused',
        details: { code: error.code, message: error.message, phase: campaign.phase },
      });
      return error;
    };
    if (intervention.status !== 'open') {
      throw await refuse(
        new AppError(409, 'intervention_not_open', `Intervention '${interventionId}' is not open`, {
          phase: campaign.phase,
        }),
      );
    }
    if (resolution !== 'dismiss') {
      const what =
        intervention.kind === 'not_received'
          ? 'Check the delivery, send the result from the sender account by hand if it did not arrive, then resolve this with dismiss.'
          : 'Resolve this with dismiss to close it.';
      throw await refuse(
        new AppError(
          409,
          'campaign_closed',
          `Campaign '${campaign.id}' has ended (phase '${campaign.phase}'): Kuji does nothing more for it. ${what}`,
          { phase: campaign.phase },
        ),
      );
    }
    return inTransaction(app.db, async (trx) => {
      const resolved = await resolveIntervention(trx, {
        id: interventionId,
        resolution,
        by: actor,
        ...(note ? { details: { note } } : {}),
      });
      if (!resolved?.changed) {
        throw new AppError(
          409,
          'intervention_not_open',
          `Intervention '${interventionId}' is not open`,
          {
            phase: campaign.phase,
          },
        );
      }
      await insertAuditEntry(trx, {
        actor,
        action: 'intervention.resolve',
        campaignId: campaign.id,
        subject: interventionId,
        outcome: 'ok',
        details: {
          kind: intervention.kind,
          resolution,
          queued: 0,
          phase: campaign.phase,
          ...(note ? { note } : {}),
        },
      });
      return resolved.intervention;
    });
  }

  r.get(
    '/v1/interventions',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'Interventions of every campaign, oldest first, a page at a time',
        description: maskingNote,
        tags: ['interventions'],
        querystring: pagedInterventionsQuerySchema,
        response: {
          200: z.object({ interventions: z.array(interventionSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      const interventions = await listInterventions(app.db, filter, { limit, offset });
      return {
        interventions: interventions.map((i) => presentIntervention(i, redactorFor(request))),
      };
    },
  );

  r.get(
    '/v1/campaigns/:id/interventions',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          "A campaign's interventions: why it stopped, what to do, who resolved it (oldest first, a page at a time)",
        description: maskingNote,
        tags: ['interventions'],
        params: idParamsSchema,
        querystring: pagedInterventionsQuerySchema,
        response: {
          200: z.object({ interventions: z.array(interventionSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const { limit, offset, ...filter } = request.query;
      const interventions = await listInterventions(
        app.db,
        { ...filter, campaignId: campaign.id },
        { limit, offset },
      );
      return {
        interventions: interventions.map((i) => presentIntervention(i, redactorFor(request))),
      };
    },
  );

  r.post(
    '/v1/campaigns/:id/interventions/:interventionId/resolve',
    {
      onRequest: app.authorize(resolvers),
      schema: {
        summary: 'Resolve an open intervention (resume, resend, send_follow_up, add_stock, …)',
        description:
          'Refused with 409 and the phase named when the resolution does not fit. A misdelivery follow-up is approved by an approver other than the reporter.',
        tags: ['interventions'],
        params: interventionParamsSchema,
        body: resolveInterventionBodySchema,
        response: {
          200: z.object({
            intervention: interventionSchema,
            queued: z.number(),
            authorizeUrl: z
              .string()
              .optional()
              .describe('relink: X’s consent screen for the account'),
            expiresAt: z.string().optional(),
          }),
          ...errorResponses,
          503: errorResponses[409].describe('relink: linking X accounts is not configured'),
        },
      },
    },
    async (request) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const actor = actorId(request);
      const { resolution, note, stock } = request.body;
      if (resolution === 'send_follow_up' && request.principal?.role === 'operator') {
        throw new AppError(
          403,
          'forbidden',
          'A follow-up DM goes out under the brand’s name: an approver approves it',
        );
      }
      if (resolution === 'relink') {
        // Answered here, never by the workflow: the stop stays open until a person resumes.
        const stop = await findIntervention(app.db, request.params.interventionId);
        if (!stop || stop.campaignId !== campaign.id) {
          throw new AppError(
            404,
            'intervention_not_found',
            'No such intervention on this campaign',
          );
        }
        const link = await relinkForStop(app, stop, actor);
        return {
          intervention: presentIntervention(stop, redactorFor(request)),
          queued: 0,
          ...link,
        };
      }
      if (terminalPhases.has(campaign.phase as CampaignPhase)) {
        const resolved = await resolveAfterClose(
          campaign,
          request.params.interventionId,
          actor,
          resolution,
          note,
        );
        return { intervention: presentIntervention(resolved, redactorFor(request)), queued: 0 };
      }
      const result = await runCampaignUpdate(
        app,
        campaign,
        { actor, action: 'intervention.resolve', subject: request.params.interventionId },
        (handle) =>
          handle.executeUpdate(resolveInterventionUpdate, {
            args: [
              {
                by: actor,
                interventionId: request.params.interventionId,
                resolution,
                ...(note ? { note } : {}),
                ...(stock ? { stock } : {}),
              },
            ],
          }),
      );
      const stored = await findIntervention(app.db, result.interventionId);
      if (!stored) throw new AppError(404, 'intervention_not_found', 'intervention vanished');
      return {
        intervention: presentIntervention(stored, redactorFor(request)),
        queued: result.queued,
      };
    },
  );

  r.post(
    '/v1/campaigns/:id/misdelivery',
    {
      onRequest: app.authorize(roles.pause),
      schema: {
        summary: 'Report a wrong message: sending stops; a follow-up DM waits for approval',
        tags: ['interventions'],
        params: idParamsSchema,
        body: misdeliveryBodySchema,
        response: { 201: z.object({ intervention: interventionSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await requireCampaign(app.db, request.params.id);
      const actor = actorId(request);
      const { reason, followUpText, selector } = request.body;
      const summary = await runCampaignUpdate(
        app,
        campaign,
        { actor, action: 'campaign.report_misdelivery' },
        (handle) =>
          handle.executeUpdate(reportMisdeliveryUpdate, {
            args: [{ by: actor, reason, followUpText, selector }],
          }),
      );
      const stored = await findIntervention(app.db, summary.id);
      if (!stored) throw new AppError(404, 'intervention_not_found', 'intervention vanished');
      return reply
        .status(201)
        .send({ intervention: presentIntervention(stored, redactorFor(request)) });
    },
  );

  async function resend(campaignId: string, actor: string, deliveryIds: string[]) {
    const campaign = await requireCampaign(app.db, campaignId);
    return runCampaignUpdate(
      app,
      campaign,
      {
        actor,
        action: 'delivery.resend',
        ...(deliveryIds.length === 1 ? { subject: deliveryIds[0] } : {}),
      },
      (handle) => handle.executeUpdate(resendUpdate, { args: [{ by: actor, deliveryIds }] }),
    );
  }

  r.post(
    '/v1/campaigns/:id/deliveries/resend',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary:
          'Resend a selection of failed deliveries (idempotent: a second press sends nothing more)',
        tags: ['deliveries'],
        params: idParamsSchema,
        body: resendBodySchema,
        response: { 200: resendResponseSchema, ...errorResponses },
      },
    },
    async (request) => resend(request.params.id, actorId(request), request.body.deliveryIds),
  );

  r.post(
    '/v1/campaigns/:id/deliveries/:deliveryId/resend',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary: 'Resend one failed delivery (idempotent: a second press sends nothing more)',
        tags: ['deliveries'],
        params: z.object({
          id: z.string().min(1).max(200),
          deliveryId: z.string().min(1).max(300),
        }),
        response: { 200: resendResponseSchema, ...errorResponses },
      },
    },
    async (request) => resend(request.params.id, actorId(request), [request.params.deliveryId]),
  );
}
