/**
 * Polled keyword DMs are routed as the webhook routes them (domain/keyword-dm-routing.ts): each
 * enters exactly one of the account's campaigns taking events, whose keyword it holds.
 */
import type { Db } from '../../db/client';
import { findCampaignsTakingEvents } from '../../db/repositories/campaigns';
import type { EntryEventDraft } from '../../domain/entry-events';
import { routeKeywordDms } from '../../domain/keyword-dm-routing';
import { parseStoredConfig, storedConfigKey } from '../../domain/stored-config';
import { containsPhrase } from '../../domain/text';

/** The drafts of `drafts` (keyword DMs for `campaignId`) that this campaign is the one to take. */
export async function keywordDmsRoutedTo(
  db: Db,
  campaignId: string,
  senderXUserId: string | null,
  drafts: EntryEventDraft[],
): Promise<EntryEventDraft[]> {
  if (drafts.length === 0 || !senderXUserId) return drafts;
  const rows = await findCampaignsTakingEvents(db, senderXUserId);
  // Oldest first, with the configuration each runs on, as the webhook reads them.
  const campaigns = rows.flatMap((row) => {
    const version =
      row.approvedConfig != null ? (row.approved_config_version ?? 0) : row.config_version;
    const parsed = parseStoredConfig(
      row.approvedConfig ?? row.config,
      storedConfigKey(row.id, version),
    );
    return parsed.success ? [{ id: row.id, config: parsed.data }] : [];
  });
  // Not (or no longer) among them: its own rule stands (the store refuses a campaign past taking).
  if (!campaigns.some((campaign) => campaign.id === campaignId)) return drafts;
  const matches = drafts.flatMap((draft) =>
    campaigns
      .filter((campaign) =>
        campaign.config.entryRules.all.some(
          (rule) => rule.type === 'dm_keyword' && containsPhrase(draft.text ?? '', rule.keyword),
        ),
      )
      .map((campaign) => ({ campaign, event: draft })),
  );
  const route = routeKeywordDms(matches);
  return drafts.filter((draft) => (route.get(draft.xEventId) ?? campaignId) === campaignId);
}
