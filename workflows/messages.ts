/**
 * The campaign workflow's public surface. Signals take plain JSON objects so a person can send
 * them from the Temporal Web UI or CLI:
 *   temporal workflow signal --workflow-id campaign:<id> --name pause --input '{"by":"alice"}'
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
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

export interface PreflightSummary {
  ok: boolean;
  blocking: number;
  warnings: number;
  checkedAt: string;
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
  /** The drawn lottery's published seed and entries digest: anyone can re-derive the winners. */
  draw: { seed: string; digest: string; entryCount: number; winners: number } | null;
  report: ReportSummary | null;
}

export interface ReportSummary {
  entries: number;
  eligible: number;
  winners: number;
  delivered: number;
  failed: number;
}

export const statusQuery = defineQuery<CampaignStatus>('status');
