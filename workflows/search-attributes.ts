import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes that make campaigns findable in the Temporal Web UI. */
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const CampaignPhaseKey = defineSearchAttributeKey(
  'CampaignPhase',
  SearchAttributeType.KEYWORD,
);
export const SenderAccountKey = defineSearchAttributeKey(
  'SenderAccount',
  SearchAttributeType.KEYWORD,
);
export const NeedsAttentionKey = defineSearchAttributeKey(
  'NeedsAttention',
  SearchAttributeType.BOOL,
);

export const campaignSearchAttributes = [
  CampaignIdKey,
  CampaignPhaseKey,
  SenderAccountKey,
  NeedsAttentionKey,
] as const;

export function campaignWorkflowId(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/**
 * The workflow type new campaigns start (workflows/campaign/workflow.ts). Runs of the frozen
 * first engine, `campaignWorkflow`, finish on it (workflows/legacy/).
 */
export const CAMPAIGN_WORKFLOW_TYPE = 'campaignV2';
