import type { CampaignPlan } from '../activities/campaign';
import type { EntryCursors } from '../activities/entries';
import type { CampaignStatus, ReportSummary } from './messages';

/** Input of the campaign workflow: identifiers only. Configuration and credentials stay in the
 * database and are read by activities, so nothing secret ever lands in a workflow history. */
export interface CampaignWorkflowInput {
  campaignId: string;
  accountId: string;
  author: string;
  /** State carried over by continue-as-new. */
  resume?: ResumeState;
  options?: {
    /** Tests only: continue-as-new after this many sends, as Temporal would suggest on a long run. */
    continueAsNewAfterSends?: number;
  };
}

export interface ResumeState {
  status: CampaignStatus;
  plan: CampaignPlan | null;
  cursors: EntryCursors;
  /** The workflow's own bookkeeping between runs (absent in runs before interventions). */
  loop?: {
    /** The configuration changed after approval; sending waits for a new approval. */
    reapprovalNeeded: boolean;
    /** Outcomes of recent sends, true for a failure: the error-rate check's window. */
    recentFailures: boolean[];
    /** An operator chose to keep collecting after stock ran out. */
    stockAcknowledged: boolean;
    /** An operator ended collecting early. */
    endCollecting: boolean;
    /** Who changed the configuration since the last approval: none of them approves it. */
    changers?: string[];
    /** Workflow time (ms) of the last poll of X's lists (absent before polls were spaced). */
    lastPolledAtMs?: number;
    /** The automation watch (absent before it existed); see `AutomationWatch`. */
    watch?: AutomationWatch;
  };
}

export interface CampaignWorkflowResult {
  campaignId: string;
  outcome: 'completed' | 'cancelled' | 'failed';
  reason?: string;
  report?: ReportSummary;
}

/**
 * The watch over the webhook the campaign's entries arrive through. Instants marked "X clock"
 * come from activities (the clock X and its replay window use); the others are workflow time.
 */
export interface AutomationWatch {
  /** X clock: the last check that found the automation armed (the start of a gap). */
  armedAt: string | null;
  /** Workflow time (ms): when the next check is due. */
  nextCheckAtMs: number;
  /** X clock: the start of the open gap, replayed from on re-arm. */
  disarmedSince: string | null;
  /** Collection has ended and had its last check (a gap right before the end still counts). */
  finalCheckDone: boolean;
  /** Workflow time (ms): collection stays open until then so replayed events are taken in. */
  replayGraceUntilMs: number;
  /** A person chose to go on without the webhook: no more checks in this campaign. */
  dismissed: boolean;
}
