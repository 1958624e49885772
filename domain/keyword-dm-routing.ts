/**
 * Which one campaign a keyword DM enters, however it arrived (the webhook or polling): the
 * same DM must never enter two campaigns of the account.
 */
import { isWithinEntryPeriod } from './eligibility';

/**
 * A keyword DM enters exactly one campaign of the account, even where two campaigns' keywords
 * and periods overlap (preflight refuses that, but older campaigns may still overlap): the oldest
 * campaign whose entry period holds the message's date, else the oldest that matched.
 * `campaigns` are oldest first; returns the id of the one campaign each DM event id goes to.
 */
export function routeKeywordDms(
  matches: {
    campaign: { id: string; config: { schedule: { startAt: string; endAt: string } } };
    event: { xEventId: string; occurredAt?: Date | null };
  }[],
): Map<string, string> {
  const route = new Map<string, string>();
  const inPeriod = new Set<string>();
  for (const { campaign, event } of matches) {
    const current = route.get(event.xEventId);
    const fits = isWithinEntryPeriod(campaign.config.schedule, event.occurredAt);
    if (current === undefined || (fits && !inPeriod.has(event.xEventId))) {
      route.set(event.xEventId, campaign.id);
      if (fits) inPeriod.add(event.xEventId);
    }
  }
  return route;
}
