/**
 * Which of X's events a campaign already stores: a poll reading one of X's lists from the top
 * stops where it meets what earlier polls stored (activities/entries/poll-user-lists.ts).
 */
import type { EntrySource } from '../../domain/consent';
import type { Db } from '../client';

/** Of `xEventIds` (one source's keys), those stored for the campaign. */
export async function findStoredEventKeys(
  db: Db,
  campaignId: string,
  source: EntrySource,
  xEventIds: readonly string[],
): Promise<Set<string>> {
  if (xEventIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('entry_events')
    .select('x_event_id')
    .where('campaign_id', '=', campaignId)
    .where('source', '=', source)
    .where('x_event_id', 'in', [...xEventIds])
    .execute();
  return new Set(rows.map((row) => row.x_event_id));
}
