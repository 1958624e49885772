/**
 * The campaigns a cross-campaign page names: id → name, sender account, timezone and prizes,
 * from one GET /v1/campaigns (the stored campaigns, newest configuration).
 */
import { api, must } from '../../api/client';
import { campaignTimeZone } from '../../labels';

export interface CampaignBrief {
  id: string;
  name: string;
  accountId: string;
  phase: string;
  timeZone: string | undefined;
  prizes: { id: string; name: string }[];
}

function prizesOf(config: unknown): { id: string; name: string }[] {
  if (!config || typeof config !== 'object') return [];
  const prizes = (config as { prizes?: unknown }).prizes;
  if (!Array.isArray(prizes)) return [];
  return prizes.flatMap((prize: unknown) => {
    if (!prize || typeof prize !== 'object') return [];
    const { id, name } = prize as { id?: unknown; name?: unknown };
    return typeof id === 'string' ? [{ id, name: typeof name === 'string' ? name : id }] : [];
  });
}

/** Up to the API's page of 200 campaigns, newest first as the API lists them. */
export async function loadCampaignIndex(): Promise<Map<string, CampaignBrief>> {
  const { campaigns } = must(await api.GET('/v1/campaigns', { params: { query: { limit: 200 } } }));
  return new Map(
    campaigns.map((campaign) => [
      campaign.id,
      {
        id: campaign.id,
        name: campaign.name,
        accountId: campaign.accountId,
        phase: campaign.phase,
        timeZone: campaignTimeZone(campaign.config),
        prizes: prizesOf(campaign.config),
      },
    ]),
  );
}
