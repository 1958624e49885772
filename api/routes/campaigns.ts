import { randomBytes } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAccountById } from '../../db/repositories/accounts';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { hasClaims } from '../../db/repositories/claims';
import {
  type Campaign,
  findCampaignById,
  insertCampaign,
  listCampaigns,
  markCampaignStarted,
  updateCampaignConfig,
} from '../../db/repositories/campaigns';
import { type CampaignConfig, campaignConfigSchema } from '../../domain/campaign-config';
import { claimChangeRefusal } from '../../domain/claim-change';
import { type CampaignPhase, changeablePhases } from '../../domain/phases';
import {
  approveUpdate,
  cancelSignal,
  configChangedUpdate,
  pauseSignal,
  resumeSignal,
} from '../../workflows/messages';
import {
  CampaignIdKey,
  CampaignPhaseKey,
  CAMPAIGN_WORKFLOW_TYPE,
  campaignWorkflowId,
  NeedsAttentionKey,
  SenderAccountKey,
} from '../../workflows/search-attributes';
import { readCampaignWorkflowStatus } from '../campaign-status';
import { campaignClosed, runCampaignUpdate } from '../campaign-workflow';
import { acceptEmptyBodies } from '../empty-bodies';
import { actorId, roles } from '../plugins/auth';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { maskingNote, type Redactor, redactorFor } from '../redaction';
import {
  actorBodySchema,
  errorResponseSchema,
  errorResponses,
  idParamsSchema,
} from '../schemas/common';
import {
  campaignDetailSchema,
  campaignSchema,
  createCampaignBodySchema,
  listCampaignsQuerySchema,
} from '../schemas/campaigns';

export function newCampaignId(): string {
  return `cmp-${randomBytes(6).toString('hex')}`;
}

export default function campaignRoutes(app: FastifyInstance) {
  acceptEmptyBodies(app);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { namespace, taskQueue, webUiUrl } = app.temporalConfig;

  function present(campaign: Campaign, redact: Redactor): z.infer<typeof campaignSchema> {
    const workflowId = campaign.workflowId;
    return {
      id: campaign.id,
      name: campaign.name,
      accountId: campaign.accountId,
      phase: campaign.phase as CampaignPhase,
      paused: campaign.paused,
      author: campaign.author,
      workflowId,
      config: redact.config(campaign.config),
      configVersion: campaign.configVersion,
      approvedConfigVersion: campaign.approvedConfigVersion,
      preflight: campaign.preflight,
      createdAt: campaign.createdAt.toISOString(),
      updatedAt: campaign.updatedAt.toISOString(),
      links: {
        webUi:
          webUiUrl && workflowId
            ? `${webUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`
            : null,
      },
    };
  }

  async function startCampaignWorkflow(campaign: Campaign, actor: string): Promise<Campaign> {
    if (campaign.phase !== 'draft' || campaign.workflowId) {
      throw new AppError(
        409,
        'campaign_already_started',
        `Campaign '${campaign.id}' has already been started`,
      );
    }
    const workflowId = campaignWorkflowId(campaign.id);
    try {
      const handle = await app.temporal.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [{ campaignId: campaign.id, accountId: campaign.accountId, author: campaign.author }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: CampaignIdKey, value: campaign.id },
          { key: CampaignPhaseKey, value: 'preflight' },
          { key: SenderAccountKey, value: campaign.accountId },
          { key: NeedsAttentionKey, value: false },
        ],
      });
      await markCampaignStarted(app.db, campaign.id, workflowId, handle.firstExecutionRunId);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new AppError(
          409,
          'campaign_already_started',
          `Campaign '${campaign.id}' has already been started`,
        );
      }
      throw error;
    }
    await insertAuditEntry(app.db, {
      actor,
      action: 'campaign.start',
      campaignId: campaign.id,
      outcome: 'ok',
    });
    return (await findCampaignById(app.db, campaign.id)) ?? campaign;
  }

  const loadCampaign = (id: string) => requireCampaign(app.db, id);

  r.post(
    '/v1/campaigns',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary: 'Create a campaign from a draft configuration and (by default) start its workflow',
        tags: ['campaigns'],
        body: createCampaignBodySchema,
        response: { 201: z.object({ campaign: campaignSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { config, start } = request.body;
      const actor = actorId(request);
      const account = await findAccountById(app.db, config.accountId);
      if (!account) {
        throw new AppError(
          400,
          'unknown_account',
          `Sender account '${config.accountId}' does not exist`,
          [
            {
              path: 'body.config.accountId',
              message: 'no such sender account; create it with POST /v1/accounts',
            },
          ],
        );
      }
      const id = request.body.id ?? newCampaignId();
      const created = await insertCampaign(app.db, {
        id,
        name: config.name,
        accountId: config.accountId,
        config,
        author: actor,
      });
      if (!created) throw new AppError(409, 'campaign_exists', `Campaign '${id}' already exists`);
      await insertAuditEntry(app.db, {
        actor,
        action: 'campaign.create',
        campaignId: id,
        outcome: 'ok',
      });
      const campaign = start ? await startCampaignWorkflow(created, actor) : created;
      return reply.status(201).send({ campaign: present(campaign, redactorFor(request)) });
    },
  );

  r.post(
    '/v1/campaigns/:id/start',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary: 'Start the workflow of a stored draft (409 when already started)',
        tags: ['campaigns'],
        params: idParamsSchema,
        response: { 202: z.object({ campaign: campaignSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await startCampaignWorkflow(
        await loadCampaign(request.params.id),
        actorId(request),
      );
      return reply.status(202).send({ campaign: present(campaign, redactorFor(request)) });
    },
  );

  r.get(
    '/v1/campaigns',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: 'List campaigns, newest first',
        description:
          'The stored state of each (phase, paused as last recorded); `GET /v1/campaigns/{id}` gives a campaign’s live state. ' +
          maskingNote,
        tags: ['campaigns'],
        querystring: listCampaignsQuerySchema,
        response: { 200: z.object({ campaigns: z.array(campaignSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const campaigns = await listCampaigns(app.db, request.query);
      const redact = redactorFor(request);
      return { campaigns: campaigns.map((campaign) => present(campaign, redact)) };
    },
  );

  r.get(
    '/v1/campaigns/:id',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary: "A campaign with its workflow's live state (paused, halt, queue, draw, stops…)",
        description:
          'The state comes from the workflow itself, so a pause sent from the Temporal Web UI or CLI shows at once. When the workflow does not answer within 2 s (no worker running), the stored state is returned with `workflow.live: false` and `workflow.liveError` saying why. ' +
          maskingNote,
        tags: ['campaigns'],
        params: idParamsSchema,
        response: { 200: campaignDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request.params.id);
      if (!campaign.workflowId)
        return { campaign: present(campaign, redactorFor(request)), workflow: null };
      const workflow = await readCampaignWorkflowStatus(app, campaign.workflowId, request.log);
      const shown = workflow.live
        ? {
            ...present(campaign, redactorFor(request)),
            phase: workflow.state.phase,
            paused: workflow.state.paused,
          }
        : present(campaign, redactorFor(request));
      return {
        campaign: shown,
        workflow: {
          status: workflow.status,
          live: workflow.live,
          liveError: workflow.error,
          state: workflow.state,
        },
      };
    },
  );

  r.post(
    '/v1/campaigns/:id/approve',
    {
      onRequest: app.authorize(roles.approve),
      schema: {
        summary:
          'Approve launch (approver ≠ author; refused while preflight has blocking findings)',
        description:
          'Answers 403 `author_cannot_approve` for the author, 409 `preflight_blocking` or `invalid_in_phase` (the phase named) otherwise.',
        tags: ['campaigns'],
        params: idParamsSchema,
        body: actorBodySchema,
        response: { 200: z.object({ approvedBy: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request.params.id);
      const actor = actorId(request);
      return runCampaignUpdate(app, campaign, { actor, action: 'campaign.approve' }, (handle) =>
        handle.executeUpdate(approveUpdate, {
          args: [{ by: actor, ...(request.body.reason ? { reason: request.body.reason } : {}) }],
        }),
      );
    },
  );

  r.put(
    '/v1/campaigns/:id/config',
    {
      onRequest: app.authorize(roles.operate),
      schema: {
        summary:
          'Change the configuration (templates, prizes, schedule…); after approval it needs a new one',
        description:
          'The kind, sender account and campaign post cannot change, nor the `claim` section once claims have opened (409 `claim_section_fixed`, Japanese and English in details.reason). Refused with 409 and the phase named once delivery has ended, and with 503 `workflow_unavailable` when the workflow does not answer within 2 s (no worker running).',
        tags: ['campaigns'],
        params: idParamsSchema,
        body: z.object({ config: campaignConfigSchema }).strict(),
        response: {
          200: z.object({
            campaign: campaignSchema,
            approvalRequired: z.boolean(),
          }),
          ...errorResponses,
          503: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request.params.id);
      const actor = actorId(request);
      const { config } = request.body;
      const previous = campaignConfigSchema.safeParse(campaign.config);
      const fixed: string[] = [];
      if (previous.success) {
        if (previous.data.kind !== config.kind) fixed.push('kind');
        if (previous.data.accountId !== config.accountId) fixed.push('accountId');
        if (previous.data.post.tweetId !== config.post.tweetId) fixed.push('post');
      }
      if (fixed.length > 0) {
        throw new AppError(
          400,
          'config_field_fixed',
          `${fixed.join(', ')} cannot change once a campaign exists; create a new campaign`,
          fixed.map((key) => ({ path: `body.config.${key}`, message: 'cannot change' })),
        );
      }
      // Claims opened: their section is fixed (docs/claims.md).
      const claimRefusal = claimChangeRefusal(
        // As stored, even if a newer rule no longer accepts the rest of it.
        campaign.config as Pick<CampaignConfig, 'claim' | 'schedule'>,
        config,
        await hasClaims(app.db, campaign.id),
      );
      if (claimRefusal) {
        throw new AppError(409, claimRefusal.code, claimRefusal.message.en, {
          reason: claimRefusal.message,
        });
      }
      if (!campaign.workflowId) {
        await updateCampaignConfig(app.db, campaign.id, config, config.name);
        await insertAuditEntry(app.db, {
          actor,
          action: 'campaign.config_changed',
          campaignId: campaign.id,
          outcome: 'ok',
        });
        return {
          campaign: present(
            (await findCampaignById(app.db, campaign.id)) ?? campaign,
            redactorFor(request),
          ),
          approvalRequired: false,
        };
      }
      // Refuse before storing anything when the workflow can no longer take a change.
      const current = await readCampaignWorkflowStatus(app, campaign.workflowId, request.log);
      if (!current.live && current.error.code !== 'workflow_not_found') {
        throw new AppError(503, 'workflow_unavailable', current.error.reason.en, {
          reason: current.error.reason,
        });
      }
      const state = current.state;
      if (!state || !changeablePhases.includes(state.phase)) {
        throw new AppError(
          409,
          'invalid_in_phase',
          `Campaign is in phase '${state?.phase ?? campaign.phase}'; the configuration can change until delivery ends`,
          { phase: state?.phase ?? campaign.phase },
        );
      }
      const version = await updateCampaignConfig(app.db, campaign.id, config, config.name);
      let result;
      try {
        result = await runCampaignUpdate(
          app,
          campaign,
          { actor, action: 'campaign.config_changed' },
          (handle) =>
            handle.executeUpdate(configChangedUpdate, {
              args: [{ by: actor, configVersion: version ?? 0 }],
            }),
        );
      } catch (error) {
        // The workflow refused the change or has ended: put the previous configuration back,
        // unless another change was stored meanwhile. On any other error the change may have
        // been accepted, so it stays; sending keeps to the approved version either way.
        if (error instanceof AppError && version !== null) {
          await updateCampaignConfig(app.db, campaign.id, campaign.config, campaign.name, {
            ifVersion: version,
          });
        }
        throw error;
      }
      return {
        campaign: present(
          (await findCampaignById(app.db, campaign.id)) ?? campaign,
          redactorFor(request),
        ),
        approvalRequired: result.approvalRequired,
      };
    },
  );

  // Plain signals: the same names work from the Temporal Web UI and CLI, and the workflow
  // records each in the audit log, whichever way it came.
  const signals = [
    { path: 'pause', signal: pauseSignal, allowed: roles.pause, summary: 'Pause sending at once' },
    {
      path: 'resume',
      signal: resumeSignal,
      allowed: roles.operate,
      summary: 'Resume a paused campaign',
    },
    {
      path: 'cancel',
      signal: cancelSignal,
      allowed: roles.operate,
      summary: 'Cancel the campaign',
    },
  ] as const;

  for (const { path, signal, allowed, summary } of signals) {
    r.post(
      `/v1/campaigns/:id/${path}`,
      {
        onRequest: app.authorize(allowed),
        schema: {
          summary,
          tags: ['campaigns'],
          params: idParamsSchema,
          body: actorBodySchema,
          response: { 202: z.object({ accepted: z.literal(true) }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const campaign = await loadCampaign(request.params.id);
        const actor = actorId(request);
        if (!campaign.workflowId) {
          throw new AppError(
            409,
            'campaign_not_started',
            `Campaign '${campaign.id}' has not been started`,
          );
        }
        try {
          await app.temporal.workflow.getHandle(campaign.workflowId).signal(signal, {
            by: actor,
            ...(request.body.reason ? { reason: request.body.reason } : {}),
          });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) throw campaignClosed(campaign);
          throw error;
        }
        return reply.status(202).send({ accepted: true });
      },
    );
  }
}
