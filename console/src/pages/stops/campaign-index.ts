/**
 * The campaigns a cross-campaign page names: id → name, sender account, timezone and prizes,
 * from one GET /v1/campaigns (the stored campaigns, newest configuration). The API has no lighter
 * listing, and that page carries every campaign's whole configuration, so the index is kept for
 * up to 30 s across polls and pages instead of being fetched with every poll.
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

async function fetchCampaignIndex(): Promise<Map<string, CampaignBrief>> {
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

/** How long one listing serves the pages that poll it. */
export const campaignIndexMaxAgeMs = 30_000;

interface Kept {
  at: number;
  index: Promise<Map<string, CampaignBrief>>;
  /** Ids a listing was made to find: not listed again for them until the listing is due. */
  sought: Set<string>;
}

let kept: Kept | undefined;

function listAgain(now: number, sought: Set<string>): Promise<Map<string, CampaignBrief>> {
  const index = fetchCampaignIndex();
  kept = { at: now, index, sought };
  index.catch(() => {
    if (kept?.index === index) kept = undefined;
  });
  return index;
}

/**
 * Up to the API's page of 200 campaigns, newest first as the API lists them, at most 30 s old.
 * A campaign in `needed` that the kept listing lacks (created since) is looked for once by
 * listing again; one still absent (older than the newest 200) waits until the listing is due.
 */
export async function loadCampaignIndex(
  needed: Iterable<string> = [],
): Promise<Map<string, CampaignBrief>> {
  const now = Date.now();
  const current = kept;
  if (!current || now - current.at >= campaignIndexMaxAgeMs) return listAgain(now, new Set(needed));
  const index = await current.index;
  const missing = [...needed].filter((id) => !index.has(id) && !current.sought.has(id));
  if (missing.length === 0) return index;
  return listAgain(now, new Set([...current.sought, ...missing]));
}
