/**
 * Stops for a person (interventions): opened once per cause, shown on the status and the
 * NeedsAttention search attribute, resolved with who, when and how; and the audit trail.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  haltKind,
  type InterventionKind,
  type InterventionResolution,
  type InterventionSummary,
} from '../../domain/interventions';
import type { CampaignPhase } from '../../domain/phases';
import { CampaignPhaseKey, NeedsAttentionKey } from '../search-attributes';
import { records } from './activity-proxies';
import { rearm } from './automation';
import { recordConfigChange } from './approval';
import type { CampaignRun } from './state';

export async function audit(
  run: CampaignRun,
  actor: string,
  action: string,
  outcome: 'ok' | 'refused',
  details?: Record<string, unknown>,
): Promise<void> {
  await records.recordAudit({
    actor,
    action,
    campaignId: run.input.campaignId,
    outcome,
    details: { via: 'workflow', phase: run.status.phase, ...details },
  });
}

function publishAttention(run: CampaignRun): void {
  upsertSearchAttributes([
    { key: CampaignPhaseKey, value: run.status.phase },
    { key: NeedsAttentionKey, value: run.status.needsAttention },
  ]);
}

/** NeedsAttention follows the open interventions. */
export function refreshAttention(run: CampaignRun): void {
  const needed = run.open.length > 0;
  if (needed === run.status.needsAttention) return;
  run.status.needsAttention = needed;
  publishAttention(run);
}

export async function enterPhase(run: CampaignRun, phase: CampaignPhase): Promise<void> {
  run.status.phase = phase;
  publishAttention(run);
  await records.recordPhase({
    campaignId: run.input.campaignId,
    phase,
    workflowRunId: workflowInfo().runId,
  });
}

export async function openInterventionOnce(
  run: CampaignRun,
  kind: InterventionKind,
  dedupeKey: string,
  details: Record<string, unknown>,
  openedBy = 'kuji',
): Promise<InterventionSummary> {
  const summary = await records.openIntervention({
    campaignId: run.input.campaignId,
    accountId: run.input.accountId,
    kind,
    dedupeKey,
    details,
    openedBy,
  });
  if (!run.open.some((i) => i.id === summary.id)) run.open.push(summary);
  refreshAttention(run);
  return summary;
}

export interface ResolutionHow {
  by: string;
  note?: string;
  stock?: { prizeId: string; amount: number }[];
  configVersion?: number;
}

/** After a re-arm, collection stays open this long so X's replayed events are taken in. */
const REPLAY_GRACE_MS = 5 * 60_000;
/** The webhook is checked this often while collecting. */
export const ARMED_CHECK_INTERVAL_MS = 10 * 60_000;

export async function resolveOpen(
  run: CampaignRun,
  intervention: InterventionSummary,
  resolution: InterventionResolution,
  how: ResolutionHow,
) {
  const automation = run.loop.watch;
  const rearmed =
    intervention.kind === 'disarmed' && resolution === 'rearm'
      ? await rearm(run, how.by)
      : undefined;
  // Stock added after approval is a configuration change: preflight and approval again.
  const stockViaConfig = resolution === 'add_stock';
  const result = await records.resolveInterventionRecord({
    campaignId: run.input.campaignId,
    interventionId: intervention.id,
    resolution,
    ...how,
    ...(stockViaConfig ? { stockViaConfig } : {}),
  });
  const index = run.open.findIndex((i) => i.id === intervention.id);
  if (index >= 0) run.open.splice(index, 1);
  if (resolution === 'cancel') run.status.cancelledBy ??= how.by;
  if (resolution === 'end_collecting') run.loop.endCollecting = true;
  if (resolution === 'continue') run.loop.stockAcknowledged = true;
  if (resolution === 'resume' && intervention.kind === 'error_rate') run.loop.recentFailures = [];
  if (intervention.kind === 'disarmed') {
    automation.disarmedSince = null;
    if (resolution === 'dismiss') automation.dismissed = true;
    if (rearmed) {
      // A later gap starts where this replay ended, not before the first one.
      if (rearmed.replayTo) automation.armedAt = rearmed.replayTo;
      // Collection stays open while X re-delivers the gap, then the watch goes on.
      automation.replayGraceUntilMs = Date.now() + REPLAY_GRACE_MS;
      automation.nextCheckAtMs = Date.now() + ARMED_CHECK_INTERVAL_MS;
    }
  }
  if (result.queued > 0) run.queueNudged = true;
  refreshAttention(run);
  if (stockViaConfig && result.configVersion !== undefined) {
    await recordConfigChange(run, how.by, result.configVersion, 'stock added after approval');
  }
  return {
    interventionId: result.interventionId,
    kind: result.kind,
    resolution: result.resolution,
    queued: result.queued,
  };
}

/** A send stopped for a person: the stop names the failure and, if account-wide, the account. */
export async function stopSending(
  run: CampaignRun,
  halt: { code: string; category: string; deliveryId: string; accountHalted?: boolean },
): Promise<void> {
  const kind = haltKind(halt.category);
  await openInterventionOnce(
    run,
    kind,
    kind === 'sender_halted' ? `account:${run.input.accountId}` : `${halt.code}:${halt.deliveryId}`,
    {
      code: halt.code,
      category: halt.category,
      deliveryId: halt.deliveryId,
      accountId: run.input.accountId,
      accountHalted: halt.accountHalted ?? false,
    },
  );
}
