/**
 * The campaign workflow's public surface. Signals take plain JSON objects so a person can send
 * them from the Temporal Web UI or CLI:
 *   temporal workflow signal --workflow-id campaign:<id> --name pause --input '{"by":"alice"}'
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  InterventionKind,
  ResendOutcome,
  InterventionResolution,
  InterventionSummary,
} from '../domain/interventions';
import type { CampaignPhase } from '../domain/phases';

export interface ActorInput {
  /** Who acted: an API key's name, or a person's name when sent from the CLI/Web UI. */
  by: string;
  reason?: string;
}

export const approveSignal = defineSignal<[ActorInput]>('approve');
export const pauseSignal = defineSignal<[ActorInput]>('pause');
export const resumeSignal = defineSignal<[ActorInput]>('resume');
export const cancelSignal = defineSignal<[ActorInput]>('cancel');
/** New entries are in the database (webhook): process them now instead of at the next poll. */
export const entriesArrivedSignal = defineSignal('entriesArrived');
/**
 * A participant claimed their prize (the API after `submitClaim`): the claiming phase looks at
 * the claims again, and ends once none is open instead of waiting for the last deadline.
 */
export const claimReceivedSignal = defineSignal('claimReceived');
/** An intervention was opened outside the workflow (a participant's "I didn't receive it"). */
export const interventionOpenedSignal =
  defineSignal<[{ interventionId: string; kind: InterventionKind; openedBy: string }]>(
    'interventionOpened',
  );

/*
 * Updates: the API's way in when the caller needs an answer. Each has a validator that refuses
 * an action invalid in the current phase (naming the phase) before anything is recorded.
 */
export const approveUpdate = defineUpdate<{ approvedBy: string }, [ActorInput]>('approveLaunch');

export interface ResendInput extends ActorInput {
  deliveryIds: string[];
}
export interface ResendResult {
  results: { id: string; outcome: ResendOutcome }[];
  queued: number;
}
export const resendUpdate = defineUpdate<ResendResult, [ResendInput]>('resendDeliveries');

export interface ResolveInterventionUpdateInput extends ActorInput {
  interventionId: string;
  resolution: InterventionResolution;
  note?: string;
  /** add_stock: units to add per prize. */
  stock?: { prizeId: string; amount: number }[];
}
export interface ResolveInterventionUpdateResult {
  interventionId: string;
  kind: InterventionKind;
  resolution: string;
  queued: number;
}
export const resolveInterventionUpdate = defineUpdate<
  ResolveInterventionUpdateResult,
  [ResolveInterventionUpdateInput]
>('resolveIntervention');

export interface MisdeliveryReport extends ActorInput {
  /** Which sent messages were wrong; by default every win and lose message sent so far. */
  selector: {
    kinds?: ('win' | 'lose')[];
    sentFrom?: string;
    sentUntil?: string;
    deliveryIds?: string[];
  };
  /** The follow-up DM, sent once an approver other than the reporter approves it. */
  followUpText: string;
}
export const reportMisdeliveryUpdate = defineUpdate<InterventionSummary, [MisdeliveryReport]>(
  'reportMisdelivery',
);

/** The stored configuration changed: a change after approval needs a new approval. */
export const configChangedUpdate = defineUpdate<
  { approvalRequired: boolean; preflight: PreflightSummary | null },
  [ActorInput & { configVersion: number }]
>('configChanged');

export interface PreflightSummary {
  ok: boolean;
  blocking: number;
  warnings: number;
  checkedAt: string;
  /** The configuration version this preflight checked (absent in runs from before versions). */
  configVersion?: number;
}

export interface CampaignStatus {
  campaignId: string;
  phase: CampaignPhase;
  paused: boolean;
  needsAttention: boolean;
  preflight: PreflightSummary | null;
  approvedBy: string | null;
  /** Approvals refused by the workflow, e.g. the author approving their own campaign. */
  refusedApprovals: { by: string; reason: string }[];
  cancelledBy: string | null;
  counts: { entryEvents: number; eligible: number; won: number; sent: number; failed: number };
  /** Deliveries waiting in the current batch. */
  queueLength: number;
  /** When the DM cap is reached: the instant the next local-day window opens. */
  nextWindowAt: string | null;
  /** Sending stopped for a person: the failure that stopped it. */
  halt: { code: string; category: string; deliveryId: string } | null;
  /** Open interventions: each waits for a person (GET /v1/campaigns/:id/interventions). */
  interventions?: InterventionSummary[];
  /** Approvals asked for so far: 1, plus one for each configuration change after approval. */
  approvalRound?: number;
  /** The last check of the webhook entries arrive through (while collecting). */
  automation?: { armed: boolean; checkedAt: string; problem: string | null } | null;
  /** Claims of a campaign with a `claim` section (null without one, absent in older runs). */
  claims?: ClaimsStatus | null;
  /** The drawn lottery's published seed and entries digest: anyone can re-derive the winners. */
  draw: { seed: string; digest: string; entryCount: number; winners: number } | null;
  report: ReportSummary | null;
}

export interface ClaimsStatus {
  open: number;
  claimed: number;
  forfeited: number;
  /** Prizes that went to alternates after a winner missed the deadline. */
  promoted: number;
  /** ISO instant of the earliest open claim's deadline; null when none is open. */
  nextDeadlineAt: string | null;
}

export interface ReportSummary {
  entries: number;
  eligible: number;
  winners: number;
  delivered: number;
  failed: number;
}

export const statusQuery = defineQuery<CampaignStatus>('status');
