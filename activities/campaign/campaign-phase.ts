/** The campaign's phase as the workflow records it, for the API, the console and the search. */
import type { Db } from '../../db/client';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignPhase } from '../../domain/phases';

export function createPhaseActivities({ db }: { db: Db }) {
  return {
    async recordPhase(input: { campaignId: string; phase: CampaignPhase; workflowRunId: string }) {
      await updateCampaignPhase(db, input.campaignId, input.phase, input.workflowRunId);
    },
  };
}

export type PhaseActivities = ReturnType<typeof createPhaseActivities>;
