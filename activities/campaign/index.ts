/**
 * What every use case shares: the campaign's running configuration (campaign-loader.ts), the
 * phase the workflow records, and the preparation that turns an approved campaign into the plan
 * the workflow follows.
 */
import type { Db } from '../../db/client';
import { createPhaseActivities } from './campaign-phase';
import { createPrepareCampaignActivity } from './prepare-campaign';

export { loadRunningCampaign, nonRetryable } from './campaign-loader';
export type { CampaignPlan } from './prepare-campaign';

export function createCampaignActivities(deps: { db: Db }) {
  return {
    ...createPhaseActivities(deps),
    ...createPrepareCampaignActivity(deps),
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
