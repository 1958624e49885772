/** Input of the campaign workflow: identifiers only. Configuration and credentials stay in the
 * database and are read by activities, so nothing secret ever lands in a workflow history. */
export interface CampaignWorkflowInput {
  campaignId: string;
  accountId: string;
  author: string;
}

export interface CampaignWorkflowResult {
  campaignId: string;
  outcome: 'completed' | 'cancelled' | 'failed';
  reason?: string;
}
