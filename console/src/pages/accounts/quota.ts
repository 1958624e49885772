/**
 * The day's DM use of each sender account. The API gives it only with a campaign's deliveries
 * (`GET /v1/campaigns/{id}/deliveries` → `quota`, the account's use across all its campaigns),
 * so one campaign per account is asked, with the smallest page; an account with no campaign has
 * no figure (its cap is known, its use is not published).
 */
import { api } from '../../api/client';
import type { CampaignBrief } from '../stops/campaign-index';

export interface DayQuota {
  timezone: string;
  dayKey: string;
  used: number;
  cap: number;
  remaining: number;
  nextWindowAt: string | null;
  /** The campaign whose deliveries answered. */
  via: string;
}

export async function loadQuotas(
  campaigns: Iterable<CampaignBrief>,
): Promise<Map<string, DayQuota>> {
  const oneCampaignPerAccount = new Map<string, string>();
  for (const campaign of campaigns) {
    if (!oneCampaignPerAccount.has(campaign.accountId)) {
      oneCampaignPerAccount.set(campaign.accountId, campaign.id);
    }
  }
  const answers = await Promise.all(
    [...oneCampaignPerAccount].map(async ([accountId, campaignId]) => {
      const { data } = await api.GET('/v1/campaigns/{id}/deliveries', {
        params: { path: { id: campaignId }, query: { limit: 1 } },
      });
      return data ? ([accountId, { ...data.quota, via: campaignId }] as const) : undefined;
    }),
  );
  return new Map(answers.filter((answer) => answer !== undefined));
}
