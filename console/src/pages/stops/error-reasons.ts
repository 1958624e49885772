/**
 * X error codes in words: the API gives a failure's reason and remedy (ja/en) on the deliveries
 * that carry it, so a stop or a halt naming a code reads them from its campaign's deliveries.
 */
import { api } from '../../api/client';

export interface ErrorWords {
  reason: { ja: string; en: string };
  remedy: { ja: string; en: string } | null;
}

/** Code → words from the first page of a campaign's deliveries (any state: a halt stays queued). */
export async function loadErrorWords(campaignId: string): Promise<Map<string, ErrorWords>> {
  const { data } = await api.GET('/v1/campaigns/{id}/deliveries', {
    params: { path: { id: campaignId }, query: { limit: 500 } },
  });
  const words = new Map<string, ErrorWords>();
  for (const delivery of data?.deliveries ?? []) {
    if (delivery.errorCode && delivery.errorReason && !words.has(delivery.errorCode)) {
      words.set(delivery.errorCode, { reason: delivery.errorReason, remedy: delivery.errorRemedy });
    }
  }
  return words;
}

/** The words for each campaign asked, by campaign id (a campaign that fails to answer has none). */
export async function loadErrorWordsFor(
  campaignIds: Iterable<string>,
): Promise<Map<string, Map<string, ErrorWords>>> {
  const ids = [...new Set(campaignIds)];
  const answers = await Promise.all(ids.map((id) => loadErrorWords(id).catch(() => new Map())));
  return new Map(ids.map((id, index) => [id, answers[index] ?? new Map()]));
}
