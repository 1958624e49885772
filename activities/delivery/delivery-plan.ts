/** Which channel a participant's result goes by, under the consent rules. */
import type { NewDelivery } from '../../db/repositories/deliveries';
import type { CampaignConfig } from '../../domain/campaign-config';
import { type ApiTier, planChannel, strongestConsentBasis } from '../../domain/consent';
import type { StoredFacts } from '../entries/participant-facts';

/** Plans a result delivery for a participant under the consent rules; null when none applies. */
export function planResultDelivery(
  config: CampaignConfig,
  tier: ApiTier,
  entry: { xUserId: string; facts: StoredFacts },
  campaignId: string,
  accountId: string,
  kind: 'win' | 'lose',
): NewDelivery | null {
  const templates = config.templates[kind];
  const available = (['dm', 'reply'] as const).filter((channel) => templates[channel]);
  if (available.length === 0) return null;
  const plan = planChannel({
    consentBasis: strongestConsentBasis(entry.facts.sources),
    apiTier: tier,
    templateChannels: available,
  });
  const replyTo =
    plan.channel === 'reply'
      ? plan.replyTo === 'campaign_post'
        ? config.post.tweetId
        : entry.facts.summonedByPostId
      : undefined;
  return {
    id: `${campaignId}:${entry.xUserId}:${kind}`,
    campaignId,
    accountId,
    xUserId: entry.xUserId,
    kind,
    channel: plan.channel,
    channelReason: plan.reason,
    state: plan.channel === 'result_page' ? 'skipped' : 'queued',
    replyToTweetId: replyTo ?? null,
  };
}
