/**
 * Entries: X's lists read into entry_events (watchEntries; pollEntries for the legacy workflow),
 * then decided in batches on X's facts about each participant (processEntries).
 */
import type { Db } from '../../db/client';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import { loadRunningCampaign } from '../campaign/campaign-loader';
import { createEntryProcessing } from './entry-processing';
import type { createFactFetcher } from './participant-facts';
import { createPollEntriesActivity } from './poll-entries';
import { createEntryListsPoll } from './poll-x-lists';
import { createWatchEntriesActivity, type WatchEntriesDeps } from './watch-entries';

export type { EntryBatch } from './entry-processing';
export type { EntryCursors } from './poll-entries';
export type { WatchEntriesInput } from './watch-entries';

export interface EntriesDeps {
  db: Db;
  x: WatchEntriesDeps['x'];
  /** X's facts about participants, with the rate windows this process saw (the draw shares it). */
  factFetcher: ReturnType<typeof createFactFetcher>;
  /** Where X delivers this deployment's events; unset: polling alone, always armed. */
  webhookUrl?: string;
}

export function createEntriesActivities({ db, x, factFetcher, webhookUrl }: EntriesDeps) {
  const loadConfig = (campaignId: string) => loadRunningCampaign(db, campaignId);
  const campaignSeed = (campaignId: string) => ensureCampaignSecretSeed(db, campaignId);
  const { pollEntryLists } = createEntryListsPoll({ db, x, loadConfig, webhookUrl });
  const { processEntries } = createEntryProcessing({ db, factFetcher, loadConfig, campaignSeed });
  return {
    ...createPollEntriesActivity({ pollEntryLists }),
    processEntries,
    ...createWatchEntriesActivity({ db, x, loadConfig, webhookUrl }),
  };
}

export type EntriesActivities = ReturnType<typeof createEntriesActivities>;
