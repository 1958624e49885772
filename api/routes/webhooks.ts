import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, onRequestHookHandler, preValidationHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { inTransaction } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import {
  findCampaignsTakingEvents,
  lockCampaignTakingEvents,
} from '../../db/repositories/campaigns';
import { findComplaintTargets } from '../../db/repositories/complaint-targets';
import { clearCredentialsRevokedAt } from '../../db/repositories/credential-envelopes';
import { insertEntryEvents, type NewEntryEvent } from '../../db/repositories/entries';
import { openIntervention } from '../../db/repositories/interventions';
import { findSeenWebhookEvents, recordWebhookEvents } from '../../db/repositories/webhook-events';
import { xDateOrNull } from '../../domain/entry-events';
import { parseStoredConfig, storedConfigKey } from '../../domain/stored-config';
import { haltAccount } from '../../db/repositories/accounts';
import {
  crcResponseToken,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from '../../x/webhook-signature';
import { entriesArrivedSignal, interventionOpenedSignal } from '../../workflows/messages';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import { AppError } from '../errors';
import { errorResponseSchema } from '../schemas/common';
import {
  type ActivityEvent,
  activityDeliveryResultSchema,
  activityDeliverySchema,
  crcQuerySchema,
  crcResponseSchema,
  revokePayloadSchema,
} from '../schemas/webhooks';
import {
  type CollectingCampaign,
  entryEventsFor,
  type NotReceivedComplaint,
  notReceivedComplaints,
  routeKeywordDms,
} from '../x-activity-events';

export interface WebhookRoutesOptions {
  /** The X app's consumer secret; without it the webhook answers 503. */
  secret?: string;
}

const webhookErrors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  503: errorResponseSchema,
} as const;

/**
 * The X Activity API webhook: `GET` answers X's CRC challenge, `POST` receives signed
 * deliveries and stores them as entry events of every collecting campaign of the subscribed
 * sender. X calls it, so there is no API key; the consumer-secret signature is the
 * authentication. Register it unwrapped (`app.register(webhookRoutes, { secret })`): its JSON
 * parser keeps the raw bytes and must stay inside this plugin's scope.
 */
/** How long after its result was sent a completed campaign still takes "I didn't get it". */
const AFTER_COMPLETION_MS = 30 * 24 * 60 * 60 * 1000;

export default function webhookRoutes(app: FastifyInstance, options: WebhookRoutesOptions) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secret = options.secret || undefined;

  // The signature covers the exact bytes X sent; re-serialised JSON would not match.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawWebhookBody = body as Buffer;
    done(null, body);
  });

  const notConfigured = () =>
    new AppError(
      503,
      'webhook_not_configured',
      'The X webhook is not configured: set X_WEBHOOK_SECRET to the X app consumer secret',
    );

  // Runs first, so an unconfigured webhook answers 503 whatever else is wrong with the request.
  const requireSecret: onRequestHookHandler = (_request, _reply, done) => {
    done(secret ? undefined : notConfigured());
  };

  /** Checks the signature over the raw bytes, then hands the parsed JSON to validation. */
  const verifyDelivery: preValidationHookHandler = (request, _reply, done) => {
    const raw = request.rawWebhookBody ?? Buffer.alloc(0);
    if (!secret) return done(notConfigured());
    if (!verifyWebhookSignature(secret, raw, request.headers[WEBHOOK_SIGNATURE_HEADER])) {
      return done(
        new AppError(
          401,
          'invalid_signature',
          `Missing or wrong ${WEBHOOK_SIGNATURE_HEADER}: the body was not signed with this app's consumer secret`,
        ),
      );
    }
    try {
      request.body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      return done(new AppError(400, 'invalid_json', 'The delivery body is not valid JSON'));
    }
    done();
  };

  async function collectingCampaignsOf(xUserId: string): Promise<CollectingCampaign[]> {
    // The approved configuration decides what is an entry, as it does in the workflow.
    const rows = await findCampaignsTakingEvents(app.db, xUserId);
    return rows.flatMap((row) => {
      // Parsed once per stored version, not on every delivery.
      const version =
        row.approvedConfig != null ? (row.approved_config_version ?? 0) : row.config_version;
      const config = parseStoredConfig(
        row.approvedConfig ?? row.config,
        storedConfigKey(row.id, version),
      );
      if (!config.success) {
        app.log.warn({ campaignId: row.id }, 'webhook: campaign has an invalid configuration');
        return [];
      }
      return [
        { id: row.id, workflowId: row.workflow_id, senderXUserId: xUserId, config: config.data },
      ];
    });
  }

  /** Clears what the revocation covers: credentials linked at or before X revoked them. */
  async function revokeCredentials(event: ActivityEvent) {
    const revoke = revokePayloadSchema.safeParse(event.payload);
    if (!revoke.success) return;
    const dated = xDateOrNull(revoke.data.date_time);
    // X dates it to the second: it covers a link made earlier in that same second.
    const revokedAt = !dated
      ? new Date()
      : dated.getMilliseconds() === 0
        ? new Date(dated.getTime() + 999)
        : dated;
    const cleared = await clearCredentialsRevokedAt(app.db, revoke.data.user_id, revokedAt);
    for (const accountId of cleared) {
      // Every campaign on the account stops with the `auth` stop until it is re-linked and resumed.
      await haltAccount(app.db, accountId, {
        code: 'auth_token_invalid',
        category: 'auth',
        campaignId: null,
      });
      app.log.warn({ accountId }, 'webhook: X access revoked; credentials cleared');
    }
  }

  /**
   * Stores one campaign's events while it still takes them; false when it stopped taking them
   * meanwhile (its workflow recorded `analyzing` and decides no more).
   */
  async function storeCampaignEvents(campaignId: string, events: NewEntryEvent[]) {
    return inTransaction(app.db, async (trx) => {
      if (!(await lockCampaignTakingEvents(trx, campaignId))) return undefined;
      return insertEntryEvents(trx, events);
    });
  }

  async function signalEntriesArrived(campaign: CollectingCampaign) {
    const workflowId = campaign.workflowId ?? campaignWorkflowId(campaign.id);
    try {
      await app.temporal.workflow.getHandle(workflowId).signal(entriesArrivedSignal);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      // The events are stored; the workflow's next poll picks them up without the signal.
      app.log.warn({ err: error, workflowId }, 'webhook: could not signal entriesArrived');
    }
  }

  /**
   * Opens a `not_received` intervention in every running campaign of the sender in which the
   * complaining participant has a result delivery, and tells each workflow about the ones that
   * are new. With none running, the complaint is kept against the newest completed campaign that
   * sent them a result in the last 30 days (`afterCompletion`: its workflow has ended, so it is
   * not signalled; a person handles it). Returns how many were opened; a repeat complaint finds the
   * open one. Each new one is in the audit log, written with it, by the participant who opened it.
   */
  async function openNotReceived(
    senderXUserId: string,
    complaint: NotReceivedComplaint,
  ): Promise<number> {
    const campaigns = await findComplaintTargets(app.db, {
      senderXUserId,
      xUserId: complaint.xUserId,
      completedSince: new Date(Date.now() - AFTER_COMPLETION_MS),
    });

    const openedBy = `participant:${complaint.xUserId}`;
    let opened = 0;
    for (const campaign of campaigns) {
      // Ids and the matched words only: the participant's message itself is personal data.
      const details: Record<string, unknown> = {
        xUserId: complaint.xUserId,
        ...(complaint.username ? { username: complaint.username } : {}),
        deliveryId: campaign.deliveryId,
        deliveryState: campaign.deliveryState,
        eventId: complaint.eventId,
        language: complaint.match.language,
        phrase: complaint.match.phrase,
        via: complaint.via,
        ...(campaign.afterCompletion ? { afterCompletion: true } : {}),
      };
      const { intervention, created } = await inTransaction(app.db, async (trx) => {
        const opened = await openIntervention(trx, {
          campaignId: campaign.campaignId,
          accountId: campaign.accountId,
          kind: 'not_received',
          dedupeKey: `user:${complaint.xUserId}`,
          details,
          openedBy,
        });
        if (opened.created) {
          // As the workflow's own interventions are audited: actor = who opened it.
          await insertAuditEntry(trx, {
            actor: openedBy,
            action: 'intervention.open',
            campaignId: campaign.campaignId,
            subject: opened.intervention.id,
            outcome: 'ok',
            details: { kind: 'not_received', interventionId: opened.intervention.id, ...details },
          });
        }
        return opened;
      });
      if (!created) continue;
      opened += 1;
      app.log.info(
        {
          campaignId: campaign.campaignId,
          interventionId: intervention.id,
          via: complaint.via,
          afterCompletion: campaign.afterCompletion,
        },
        'webhook: participant reports a result not received; intervention opened',
      );
      if (campaign.afterCompletion) continue;
      await signalInterventionOpened(
        campaign.workflowId ?? campaignWorkflowId(campaign.campaignId),
        intervention.id,
        openedBy,
      );
    }
    return opened;
  }

  async function signalInterventionOpened(
    workflowId: string,
    interventionId: string,
    openedBy: string,
  ) {
    try {
      await app.temporal.workflow
        .getHandle(workflowId)
        .signal(interventionOpenedSignal, { interventionId, kind: 'not_received', openedBy });
    } catch (error) {
      // The intervention is stored and listed by the API; only the workflow's NeedsAttention lags.
      app.log.warn(
        { err: error, workflowId, interventionId },
        'webhook: could not signal interventionOpened',
      );
    }
  }

  r.get(
    '/v1/webhooks/x',
    {
      schema: {
        summary: "Answer X's CRC challenge (X calls this; no API key)",
        tags: ['webhooks'],
        security: [],
        querystring: crcQuerySchema,
        response: { 200: crcResponseSchema, ...webhookErrors },
      },
      onRequest: requireSecret,
    },
    (request, reply) => {
      void reply.send({ response_token: crcResponseToken(secret ?? '', request.query.crc_token) });
    },
  );

  r.post(
    '/v1/webhooks/x',
    {
      schema: {
        summary: 'Receive X Activity API events as campaign entries (X calls this; no API key)',
        description: `Verified with \`${WEBHOOK_SIGNATURE_HEADER}\` over the raw body. Idempotent: a replayed event is stored once. A participant's "I didn't get it" (DM, reply or mention to the sender) opens a \`not_received\` intervention in each running campaign that has a result delivery for them, once while it is open.`,
        tags: ['webhooks'],
        security: [],
        body: activityDeliverySchema,
        response: { 200: activityDeliveryResultSchema, ...webhookErrors },
      },
      onRequest: requireSecret,
      preValidation: verifyDelivery,
    },
    async (request) => {
      const { data } = request.body;
      const delivered = Array.isArray(data) ? data : [data];
      // A replayed delivery (same event_uuid, already taken in) changes nothing.
      const seen = await findSeenWebhookEvents(
        app.db,
        delivered.flatMap((event) => (event.event_uuid ? [event.event_uuid] : [])),
      );
      const events = delivered.filter((event) => !event.event_uuid || !seen.has(event.event_uuid));
      const campaignsByUser = new Map<string, Promise<CollectingCampaign[]>>();
      const newEvents = new Map<
        string,
        { campaign: CollectingCampaign; events: NewEntryEvent[] }
      >();
      const complaints: { senderXUserId: string; complaint: NotReceivedComplaint }[] = [];

      for (const event of events) {
        if (event.event_type === 'oauth.revoke') {
          await revokeCredentials(event);
          continue;
        }
        const subscribedUserId = event.filter?.user_id;
        if (!subscribedUserId) continue;
        for (const complaint of notReceivedComplaints(event, subscribedUserId)) {
          complaints.push({ senderXUserId: subscribedUserId, complaint });
        }
        let campaigns = campaignsByUser.get(subscribedUserId);
        if (!campaigns) {
          campaigns = collectingCampaignsOf(subscribedUserId);
          campaignsByUser.set(subscribedUserId, campaigns);
        }
        const matches = (await campaigns).flatMap((campaign) =>
          entryEventsFor(event, campaign).map((entry) => ({
            campaign,
            event: { ...entry, campaignId: campaign.id, receivedVia: 'webhook' as const },
          })),
        );
        const keywordRoute = routeKeywordDms(
          matches.filter((match) => match.event.source === 'dm_keyword'),
        );
        for (const { campaign, event: entry } of matches) {
          if (entry.source === 'dm_keyword' && keywordRoute.get(entry.xEventId) !== campaign.id) {
            continue;
          }
          const bucket = newEvents.get(campaign.id) ?? { campaign, events: [] };
          bucket.events.push(entry);
          newEvents.set(campaign.id, bucket);
        }
      }

      let stored = 0;
      for (const { campaign, events: campaignEvents } of newEvents.values()) {
        const inserted = await storeCampaignEvents(campaign.id, campaignEvents);
        if (inserted === undefined) {
          app.log.info(
            { campaignId: campaign.id, events: campaignEvents.length },
            'webhook: campaign no longer takes events (its results are final); not stored',
          );
          continue;
        }
        stored += inserted;
        if (inserted > 0) await signalEntriesArrived(campaign);
      }
      // Independent of the entries above: a keyword DM that also complains is stored as both.
      let notReceived = 0;
      for (const { senderXUserId, complaint } of complaints) {
        notReceived += await openNotReceived(senderXUserId, complaint);
      }
      // Last, once every effect is stored: a delivery that failed half-way is taken in again.
      await recordWebhookEvents(
        app.db,
        events.flatMap((event) =>
          event.event_uuid ? [{ eventUuid: event.event_uuid, eventType: event.event_type }] : [],
        ),
      );
      return {
        accepted: delivered.length,
        replayed: delivered.length - events.length,
        stored,
        notReceived,
      };
    },
  );
}
