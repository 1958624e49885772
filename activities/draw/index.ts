/** The draw: the pool refreshed from X (draw-refresh.ts), then drawn and applied once. */
import type { Db } from '../../db/client';
import type { createFactFetcher } from '../entries/participant-facts';
import { createDrawCampaignActivity } from './draw-campaign';
import { createDrawRefresh, type DrawRefreshDeps } from './draw-refresh';

export interface DrawDeps {
  db: Db;
  x: DrawRefreshDeps['x'];
  /** X's facts about participants, with the rate windows this process saw (shared with entries). */
  factFetcher: ReturnType<typeof createFactFetcher>;
  /** Wall time: when facts were read. */
  now: () => Date;
}

export function createDrawActivities({ db, x, factFetcher, now }: DrawDeps) {
  const { refreshBeforeDraw } = createDrawRefresh({ db, x, factFetcher, now });
  return createDrawCampaignActivity({ db, refreshBeforeDraw });
}

export type DrawActivities = ReturnType<typeof createDrawActivities>;
