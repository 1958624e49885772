/**
 * The purge of a campaign's claim answers (docs/claims.md): a child workflow the campaign starts
 * when it ends and abandons, so it outlives the campaign's run; it sleeps (a durable timer) until
 * the retention period is over and then purges, with an audit entry.
 */
import { sleep } from '@temporalio/workflow';
import { records } from './activity-proxies';

export interface ClaimPurgeInput {
  campaignId: string;
  /** ISO instant: the campaign's end plus its retention days. */
  purgeAt: string;
}

/** The id of a campaign's purge workflow: one per campaign. */
export const claimPurgeWorkflowId = (campaignId: string): string => `claim-purge:${campaignId}`;

export async function purgeClaimData(input: ClaimPurgeInput): Promise<{ purged: number }> {
  const wait = Date.parse(input.purgeAt) - Date.now();
  if (wait > 0) await sleep(wait);
  return records.purgeCampaignClaimData({
    campaignId: input.campaignId,
    now: new Date().toISOString(),
  });
}
