import {
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign-activities';
import type { CampaignPhase } from '../domain/phases';
import {
  approveSignal,
  cancelSignal,
  type CampaignStatus,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from './messages';
import { CampaignPhaseKey, NeedsAttentionKey } from './search-attributes';
import type { CampaignWorkflowInput, CampaignWorkflowResult } from './types';

const db = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function campaignWorkflow(
  input: CampaignWorkflowInput,
): Promise<CampaignWorkflowResult> {
  const status: CampaignStatus = {
    campaignId: input.campaignId,
    phase: 'preflight',
    paused: false,
    needsAttention: false,
    preflight: null,
    approvedBy: null,
    refusedApprovals: [],
    cancelledBy: null,
  };

  setHandler(statusQuery, () => status);
  setHandler(approveSignal, ({ by }) => {
    if (status.phase !== 'awaiting_approval' || status.approvedBy) return;
    if (by === input.author) {
      status.refusedApprovals.push({ by, reason: 'author_cannot_approve' });
      return;
    }
    status.approvedBy = by;
  });
  setHandler(pauseSignal, () => {
    status.paused = true;
  });
  setHandler(resumeSignal, () => {
    status.paused = false;
  });
  setHandler(cancelSignal, ({ by }) => {
    status.cancelledBy ??= by;
  });

  async function enterPhase(phase: CampaignPhase): Promise<void> {
    status.phase = phase;
    upsertSearchAttributes([
      { key: CampaignPhaseKey, value: phase },
      { key: NeedsAttentionKey, value: status.needsAttention },
    ]);
    await db.recordPhase({
      campaignId: input.campaignId,
      phase,
      workflowRunId: workflowInfo().runId,
    });
  }

  const cancelled = () => status.cancelledBy !== null;

  await enterPhase('preflight');
  status.preflight = await db.runPreflight({ campaignId: input.campaignId });

  status.needsAttention = true;
  await enterPhase('awaiting_approval');
  await condition(() => status.approvedBy !== null || cancelled());
  status.needsAttention = false;

  if (!cancelled()) {
    // Collection, drawing and delivery build on this phase (see the README's roadmap).
    await enterPhase('scheduled');
    await condition(cancelled);
  }
  await enterPhase('cancelled');
  return {
    campaignId: input.campaignId,
    outcome: 'cancelled',
    reason: `cancelled by ${status.cancelledBy}`,
  };
}
