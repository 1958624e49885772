import { type CampaignActivityDeps, createCampaignActivities } from './campaign-activities';

export type ActivityDeps = CampaignActivityDeps;

/** Every activity the worker registers; the worker injects the database and X access. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCampaignActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
