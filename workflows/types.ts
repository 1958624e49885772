import type { CampaignPlan, EntryCursors } from '../activities/campaign-runtime';
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
}

export interface CampaignWorkflowResult {
  campaignId: string;
  outcome: 'completed' | 'cancelled' | 'failed';
  reason?: string;
  report?: ReportSummary;
}
