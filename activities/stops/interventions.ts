/**
 * Interventions, the stops where the workflow waits for a person: opened (once per cause) and
 * resolved with their effects — the approval pinned, a halted account resumed, a resend or a
 * follow-up queued, stock added — plus the operator's resend of failed deliveries. Effects and the
 * resolution commit together, with their audit entry.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { type Db, inTransaction } from '../../db/client';
import { clearAccountHalt } from '../../db/repositories/accounts';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import {
  findCampaignById,
  pinApprovedConfigVersion,
  updateCampaignConfig,
} from '../../db/repositories/campaigns';
import {
  findDelivery,
  insertDeliveries,
  type MisdeliverySelector,
  type NewDelivery,
  requeueFailedDeliveries,
  sentDeliveriesMatching,
} from '../../db/repositories/deliveries';
import {
  findIntervention,
  addResolutionDetails,
  openIntervention,
  resolveIntervention,
} from '../../db/repositories/interventions';
import { addPrizeStock } from '../../db/repositories/prizes';
import { campaignConfigSchema } from '../../domain/campaign-config';
import { type StockAddition, withAddedStock } from '../../domain/stock-change';
import {
  interventionCatalog,
  type InterventionKind,
  type InterventionResolution,
  type InterventionSummary,
  type ResendOutcome,
} from '../../domain/interventions';

export interface OpenInterventionInput {
  campaignId: string;
  accountId: string;
  kind: InterventionKind;
  /** One open intervention per cause: the same key while open finds the first. */
  dedupeKey: string;
  details: Record<string, unknown>;
  openedBy: string;
}

export interface ResolveInterventionInput {
  campaignId: string;
  interventionId: string;
  resolution: InterventionResolution;
  by: string;
  note?: string;
  /** add_stock: units per prize. */
  stock?: { prizeId: string; amount: number }[];
  /** approval: the configuration version the approved preflight checked (pinned for sending). */
  configVersion?: number;
  /**
   * add_stock: the stock goes into a new configuration version that preflight checks and an
   * approver approves, instead of straight into the prize table (runs before patch
   * approver-check did the latter).
   */
  stockViaConfig?: boolean;
}

export interface ResolveInterventionResult {
  interventionId: string;
  kind: InterventionKind;
  resolution: string;
  /** False when it had been resolved already (a retry or a double press): nothing repeated. */
  changed: boolean;
  /** add_stock via the configuration: the version that holds the added stock. */
  configVersion?: number;
  /** Deliveries queued by the resolution (resend, follow-ups). */
  queued: number;
}

function summarize(intervention: {
  id: string;
  kind: string;
  openedBy: string;
  openedAt: Date;
}): InterventionSummary {
  const kind = intervention.kind as InterventionKind;
  return {
    id: intervention.id,
    kind,
    blocks: interventionCatalog[kind].blocks,
    openedBy: intervention.openedBy,
    openedAt: intervention.openedAt.toISOString(),
  };
}

/** Writes the newest configuration again with the added stock; returns its version. */
async function addStockToConfig(
  trx: Db,
  campaignId: string,
  stock: readonly StockAddition[],
): Promise<number> {
  const campaign = await findCampaignById(trx, campaignId);
  const parsed = campaignConfigSchema.safeParse(campaign?.config);
  if (!campaign || !parsed.success) {
    throw ApplicationFailure.create({
      type: 'config_invalid',
      message: `campaign ${campaignId} has no valid configuration to add stock to`,
      nonRetryable: true,
    });
  }
  const changed = withAddedStock(parsed.data, stock);
  if ('unknownPrize' in changed) {
    throw ApplicationFailure.create({
      type: 'unknown_prize',
      message: `campaign ${campaignId} has no prize ${changed.unknownPrize}`,
      nonRetryable: true,
    });
  }
  const version = await updateCampaignConfig(trx, campaignId, changed.config, campaign.name);
  if (version === null) {
    throw ApplicationFailure.create({
      type: 'campaign_missing',
      message: `campaign ${campaignId} does not exist`,
      nonRetryable: true,
    });
  }
  return version;
}

export function createInterventionActivities({ db }: { db: Db }) {
  return {
    async openIntervention(input: OpenInterventionInput): Promise<InterventionSummary> {
      const { intervention, created } = await openIntervention(db, {
        campaignId: input.campaignId,
        accountId: input.accountId,
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        details: input.details,
        openedBy: input.openedBy,
      });
      if (created) {
        await insertAuditEntry(db, {
          actor: input.openedBy,
          action: 'intervention.open',
          campaignId: input.campaignId,
          subject: intervention.id,
          outcome: 'ok',
          details: { kind: input.kind, ...input.details },
        });
      }
      return summarize(intervention);
    },

    /** Resolves an intervention and applies what the resolution means in the database. */
    async resolveInterventionRecord(
      input: ResolveInterventionInput,
    ): Promise<ResolveInterventionResult> {
      const existing = await findIntervention(db, input.interventionId);
      if (!existing || existing.campaignId !== input.campaignId) {
        throw ApplicationFailure.create({
          type: 'intervention_not_found',
          message: `campaign ${input.campaignId} has no intervention ${input.interventionId}`,
          nonRetryable: true,
        });
      }
      const kind = existing.kind as InterventionKind;
      return inTransaction(db, async (trx) => {
        const resolved = await resolveIntervention(trx, {
          id: input.interventionId,
          resolution: input.resolution,
          by: input.by,
          details: {
            ...(input.note ? { note: input.note } : {}),
            ...(input.stock ? { stock: input.stock } : {}),
          },
        });
        if (!resolved?.changed) {
          // A retry after the effect committed: the same answer, with the version it made.
          const made = resolved?.intervention.resolutionDetails?.configVersion;
          return {
            interventionId: input.interventionId,
            kind,
            resolution: resolved?.intervention.resolution ?? input.resolution,
            changed: false,
            queued: 0,
            ...(typeof made === 'number' ? { configVersion: made } : {}),
          };
        }
        let queued = 0;
        const details = existing.details;
        let approvedConfigVersion: number | undefined;
        if (kind === 'approval' && input.resolution === 'approved') {
          approvedConfigVersion = await pinApprovedConfig(
            trx,
            input.campaignId,
            input.configVersion,
          );
        }
        if (kind === 'sender_halted' && input.resolution === 'resume' && existing.accountId) {
          await clearAccountHalt(trx, existing.accountId);
        }
        if (kind === 'not_received' && input.resolution === 'resend') {
          queued = await queueResendOfReported(trx, input.interventionId, details);
        }
        if (kind === 'misdelivery' && input.resolution === 'send_follow_up') {
          queued = await queueFollowUps(trx, input.campaignId, input.interventionId, details);
        }
        let stockConfigVersion: number | undefined;
        if (
          kind === 'stock_exhausted' &&
          input.resolution === 'add_stock' &&
          input.stockViaConfig
        ) {
          stockConfigVersion = await addStockToConfig(trx, input.campaignId, input.stock ?? []);
          await addResolutionDetails(trx, input.interventionId, {
            configVersion: stockConfigVersion,
          });
        } else if (kind === 'stock_exhausted' && input.resolution === 'add_stock') {
          for (const { prizeId, amount } of input.stock ?? []) {
            if ((await addPrizeStock(trx, input.campaignId, prizeId, amount)) === null) {
              throw ApplicationFailure.create({
                type: 'unknown_prize',
                message: `campaign ${input.campaignId} has no prize ${prizeId}`,
                nonRetryable: true,
              });
            }
          }
        }
        await insertAuditEntry(trx, {
          actor: input.by,
          action: 'intervention.resolve',
          campaignId: input.campaignId,
          subject: input.interventionId,
          outcome: 'ok',
          details: {
            kind,
            resolution: input.resolution,
            queued,
            ...(approvedConfigVersion !== undefined ? { approvedConfigVersion } : {}),
            ...(input.note ? { note: input.note } : {}),
            ...(input.stock ? { stock: input.stock } : {}),
            ...(stockConfigVersion !== undefined ? { configVersion: stockConfigVersion } : {}),
          },
        });
        return {
          interventionId: input.interventionId,
          kind,
          resolution: input.resolution,
          changed: true,
          queued,
          ...(stockConfigVersion !== undefined ? { configVersion: stockConfigVersion } : {}),
        };
      });
    },

    /** The operator's resend of failed deliveries; idempotent per delivery state. */
    async requeueDeliveries(input: {
      campaignId: string;
      deliveryIds: string[];
      by: string;
    }): Promise<{ results: { id: string; outcome: ResendOutcome }[]; queued: number }> {
      const results = await requeueFailedDeliveries(db, input.campaignId, input.deliveryIds);
      const queued = results.filter((r) => r.outcome === 'queued').length;
      await insertAuditEntry(db, {
        actor: input.by,
        action: 'delivery.resend',
        campaignId: input.campaignId,
        subject: input.deliveryIds.length === 1 ? input.deliveryIds[0] : null,
        outcome: 'ok',
        details: { queued, results },
      });
      return { results, queued };
    },
  };
}

/**
 * Pins the configuration an approval signs off: the version the workflow's newest preflight
 * checked, which is what the approver saw. A change stored since then waits for its own approval;
 * sending keeps to the pinned version. A run from before the workflow passed the version falls
 * back to the stored preflight's, and one from before versions were recorded to the current one.
 */
async function pinApprovedConfig(
  db: Db,
  campaignId: string,
  checkedVersion: number | undefined,
): Promise<number> {
  const version = checkedVersion ?? (await versionOfStoredPreflight(db, campaignId));
  await pinApprovedConfigVersion(db, campaignId, version);
  return version;
}

/** For runs that do not pass it: the stored preflight's version, or else the current one. */
async function versionOfStoredPreflight(db: Db, campaignId: string): Promise<number> {
  const campaign = await findCampaignById(db, campaignId);
  if (!campaign) {
    throw ApplicationFailure.create({
      type: 'campaign_not_found',
      message: `campaign ${campaignId} does not exist`,
      nonRetryable: true,
    });
  }
  const stored = (campaign.preflight as { configVersion?: unknown } | null)?.configVersion;
  return typeof stored === 'number' ? stored : campaign.configVersion;
}

/** "I didn't receive it": the reported delivery goes out once more (failed ones are requeued). */
async function queueResendOfReported(
  db: Db,
  interventionId: string,
  details: Record<string, unknown>,
): Promise<number> {
  const deliveryId = typeof details.deliveryId === 'string' ? details.deliveryId : null;
  const original = deliveryId ? await findDelivery(db, deliveryId) : undefined;
  if (!original) return 0;
  if (original.state === 'failed') {
    const [result] = await requeueFailedDeliveries(db, original.campaignId, [original.id]);
    return result?.outcome === 'queued' ? 1 : 0;
  }
  if (original.state !== 'sent') return 0; // still queued: it is on its way anyway
  const resend: NewDelivery = {
    id: `${original.id}:resend:${interventionId}`,
    campaignId: original.campaignId,
    accountId: original.accountId,
    xUserId: original.xUserId,
    kind: original.kind,
    channel: original.channel,
    channelReason: original.channelReason,
    replyToTweetId: original.replyToTweetId,
    interventionId,
    resendOf: original.id,
    body: original.body,
  };
  return insertDeliveries(db, [resend]);
}

/** A misdelivery's follow-up: one message to each recipient of the wrong one, and only them. */
async function queueFollowUps(
  db: Db,
  campaignId: string,
  interventionId: string,
  details: Record<string, unknown>,
): Promise<number> {
  const selector = (details.selector ?? {}) as MisdeliverySelector;
  const followUp = details.followUp as { text?: string } | undefined;
  if (!followUp?.text) return 0;
  const affected = await sentDeliveriesMatching(db, campaignId, selector);
  const seen = new Set<string>();
  const deliveries: NewDelivery[] = [];
  for (const delivery of affected) {
    if (seen.has(delivery.xUserId)) continue;
    seen.add(delivery.xUserId);
    deliveries.push({
      id: `${interventionId}:${delivery.xUserId}`,
      campaignId,
      accountId: delivery.accountId,
      xUserId: delivery.xUserId,
      kind: 'follow_up',
      channel: delivery.channel,
      channelReason: { followUpOf: delivery.id },
      replyToTweetId: delivery.replyToTweetId,
      interventionId,
      body: followUp.text,
    });
  }
  return deliveries.length ? insertDeliveries(db, deliveries) : 0;
}

export type InterventionActivities = ReturnType<typeof createInterventionActivities>;
