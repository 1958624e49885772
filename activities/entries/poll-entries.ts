/**
 * The legacy workflow's polling reconciliation: X's lists read into entry_events from the cursors
 * the workflow passes in and takes back (watchEntries keeps them in the database instead).
 */
import type { EntryListsPoll } from './poll-x-lists';

export interface EntryCursors {
  /** Newest reply id seen by recent search, for the next poll's since_id. */
  repliesSinceId?: string;
}

export function createPollEntriesActivity({
  pollEntryLists,
}: {
  pollEntryLists: (campaignId: string, from: EntryCursors) => Promise<EntryListsPoll>;
}) {
  return {
    /** Reads the campaign's engagements from X into entry_events, from the cursors passed in. */
    async pollEntries(input: { campaignId: string; cursors: EntryCursors }): Promise<{
      newEvents: number;
      cursors: EntryCursors;
    }> {
      return pollEntryLists(input.campaignId, input.cursors);
    },
  };
}
