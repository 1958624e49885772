/**
 * The campaign workflow, `campaignV2`: its phases in order. A continued run picks up at the
 * phase its state names. What each phase does lives beside this file: approval.ts,
 * collecting.ts (with entries.ts and automation.ts), delivering.ts, stops.ts, handlers.ts.
 */
import {
  allHandlersFinished,
  condition,
  ParentClosePolicy,
  startChild,
} from '@temporalio/workflow';
import { interventionCatalog } from '../../domain/interventions';
import { type CampaignPhase, campaignPhases } from '../../domain/phases';
import type { ReportSummary } from '../messages';
import { checking, deciding, planning } from './activity-proxies';
import { awaitReapproval, resolveApproval } from './approval';
import { claimPurgeWorkflowId, purgeClaimData } from './claim-purge';
import {
  claimsOpen,
  refreshClaimsIfStale,
  settleClaimsNow,
  waitKeepingDeadlines,
} from './claim-deadlines';
import { settleClaimsUntilDone } from './claiming';
import { collect } from './collecting';
import { deliverQueue } from './delivering';
import { settleEntries } from './entries';
import { installHandlers } from './handlers';
import { cancelled, type CampaignRun, type CampaignRunInput, newCampaignRun } from './state';
import { enterPhase, openInterventionOnce, resolveOpen } from './stops';

function raise(message: string): never {
  throw new Error(message);
}

export interface CampaignRunResult {
  campaignId: string;
  outcome: 'completed' | 'cancelled';
  reason?: string;
  report?: ReportSummary;
}

export async function campaignV2(input: CampaignRunInput): Promise<CampaignRunResult> {
  const run = newCampaignRun(input);
  installHandlers(run);
  const { status } = run;
  const startPhase = status.phase;
  const reached = (phase: CampaignPhase) =>
    campaignPhases.indexOf(startPhase) <= campaignPhases.indexOf(phase);

  if (reached('preflight')) {
    await enterPhase(run, 'preflight');
    status.preflight = await checking.runPreflight({ campaignId: input.campaignId });
  }
  if (reached('awaiting_approval') && status.approvedBy === null) {
    if (!(await approveLaunch(run))) return finish(run, 'cancelled');
  }
  // The approval that stands covers every change made before it. A run continued while a
  // change waits for its approval keeps waiting for it.
  if (status.approvedBy !== null) run.loop.reapprovalNeeded = false;
  run.plan ??= await planning.prepareCampaign({ campaignId: input.campaignId });
  /** The plan of the newest approved configuration (a re-approval prepares it again). */
  const plan = () => run.plan ?? raise('the campaign has no plan');

  if (reached('scheduled')) {
    await enterPhase(run, 'scheduled');
    // A changed configuration waits for its approval before the start.
    while (!cancelled(run) && Date.now() < Date.parse(plan().startAt)) {
      await condition(
        () => cancelled(run) || run.loop.reapprovalNeeded,
        Math.max(0, Date.parse(plan().startAt) - Date.now()),
      );
      await awaitReapproval(run);
    }
    if (cancelled(run)) return finish(run, 'cancelled');
  }
  if (reached('collecting')) {
    if (status.phase !== 'collecting') await enterPhase(run, 'collecting');
    await collect(run, plan());
    if (cancelled(run)) return finish(run, 'cancelled');
    // Collection is over: running out of stock no longer needs a decision.
    for (const stockOut of run.open.filter((i) => i.kind === 'stock_exhausted')) {
      await resolveOpen(run, stockOut, 'end_collecting', {
        by: 'kuji',
        note: 'collection period ended',
      });
    }
    // Entries held back while stock was out are decided now that collection has ended.
    await settleEntries(run);
  }
  if (reached('drawing') && plan().kind === 'drawn') {
    await awaitReapproval(run);
    if (cancelled(run)) return finish(run, 'cancelled');
    await enterPhase(run, 'drawing');
    await settleEntries(run);
    const draw = await deciding.drawCampaign({
      campaignId: input.campaignId,
      now: new Date().toISOString(),
    });
    status.draw = {
      seed: draw.seed,
      digest: draw.digest,
      entryCount: draw.entryCount,
      winners: draw.winners,
    };
    status.counts.won = draw.winners;
  }
  // A run continued while claims are open goes on with them (the delivery loop leads there).
  if (reached('delivering') || startPhase === 'claiming') {
    if (!(await deliverAll(run))) return finish(run, 'cancelled');
  }
  if (status.phase !== 'analyzing') await enterPhase(run, 'analyzing');
  status.report = await planning.computeReport({
    campaignId: input.campaignId,
    now: new Date().toISOString(),
  });
  return finish(run, 'completed');
}

/** Approval is the first stop: stored, shown, resolved with who and when. False if cancelled. */
async function approveLaunch(run: CampaignRun): Promise<boolean> {
  const { status } = run;
  await openInterventionOnce(run, 'approval', `round:${status.approvalRound}`, {
    preflight: status.preflight,
  });
  await enterPhase(run, 'awaiting_approval');
  do {
    await condition(() => status.approvedBy !== null || cancelled(run));
    if (cancelled(run)) {
      for (const approval of run.open.filter((i) => i.kind === 'approval')) {
        await resolveOpen(run, approval, 'cancel', { by: status.cancelledBy ?? 'unknown' });
      }
      return false;
    }
    await resolveApproval(run);
    // A change accepted while the approval was recorded took it back: the campaign stays in
    // awaiting_approval for the change's own round.
  } while (status.approvedBy === null);
  return true;
}

/**
 * Sends every queued result, deciding late events before the queue counts as drained, and
 * waits for every open stop: a resend or follow-up may still go out. False if cancelled.
 */
async function deliverAll(run: CampaignRun): Promise<boolean> {
  // Claims on: the deadlines known from the start, so that every wait below keeps them.
  if (run.plan?.claims && run.status.claims === null) await settleClaimsNow(run);
  for (;;) {
    if (run.status.phase !== 'delivering') await enterPhase(run, 'delivering');
    for (;;) {
      // A change accepted while nothing is queued is approved here, not waited on for ever.
      await awaitReapproval(run);
      if (cancelled(run)) return false;
      await deliverQueue(run, 'drained');
      if (cancelled(run)) return false;
      // Late events are decided before the queue counts as drained: a decision may queue a result.
      if ((await settleEntries(run)).queued > 0) continue;
      const idle = !run.queueNudged && allHandlersFinished();
      // Claims on and some still open: the claiming phase runs, whatever stop is open.
      if (idle && run.open.length > 0) await refreshClaimsIfStale(run);
      if (idle && (run.open.length === 0 || claimsOpen(run))) break;
      // A stop waits for a person; claim deadlines do not wait with it.
      await waitKeepingDeadlines(
        run,
        () =>
          run.queueNudged ||
          cancelled(run) ||
          run.loop.reapprovalNeeded ||
          (run.open.length === 0 && allHandlersFinished()),
      );
    }
    // Claims on: the claiming phase runs until no claim is open, handing back to the loop
    // above whatever must be sent meanwhile (promoted alternates' messages, resends).
    // A claim opened by a decision since the last settling counts (sent or still queued).
    await refreshClaimsIfStale(run);
    if (claimsOpen(run)) {
      const claims = await settleClaimsUntilDone(run);
      if (claims === 'cancelled') return false;
      if (claims === 'send') continue;
      // Claims settled with a stop still open: wait for it in the loop above.
      if (run.open.length > 0) continue;
    }
    // The webhook stores no more events once the phase reads analyzing; what it stored before
    // is decided here, and a result that decision queues is still sent.
    await enterPhase(run, 'analyzing');
    if ((await settleEntries(run)).queued === 0) return true;
  }
}

/** The retention of claim answers when the configuration no longer says (domain default). */
const DEFAULT_RETENTION_DAYS = 30;

/**
 * The campaign ended: every claim still open is closed (forfeited, audited), so nothing can be
 * claimed any more, and a campaign that has claims (whatever its configuration says now) starts
 * the purge of their answers.
 */
async function closeClaims(run: CampaignRun, outcome: CampaignRunResult['outcome']): Promise<void> {
  const { claims } = await planning.closeCampaignClaims({
    campaignId: run.input.campaignId,
    now: new Date().toISOString(),
    outcome,
  });
  if (claims > 0) await startClaimPurge(run);
}

/**
 * The claim answers are purged the campaign's retention days after it ended (its
 * endAt, or now if later), by a child workflow that outlives this run (ParentClosePolicy
 * ABANDON). One per campaign: a second start finds the first and leaves it.
 */
async function startClaimPurge(run: CampaignRun): Promise<void> {
  const retentionDays = run.plan?.claims?.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const endedAtMs = Math.max(Date.now(), Date.parse(run.plan?.endAt ?? '') || 0);
  const purgeAt = new Date(endedAtMs + retentionDays * 24 * 60 * 60 * 1000).toISOString();
  try {
    await startChild(purgeClaimData, {
      workflowId: claimPurgeWorkflowId(run.input.campaignId),
      args: [{ campaignId: run.input.campaignId, purgeAt }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    // Temporal's WorkflowExecutionAlreadyStartedError (@temporalio/common, not imported here).
    if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) {
      throw error;
    }
  }
}

async function finish(
  run: CampaignRun,
  outcome: CampaignRunResult['outcome'],
): Promise<CampaignRunResult> {
  const { status } = run;
  // Nothing can be claimed once the campaign has ended; the answers are purged in time.
  await closeClaims(run, outcome);
  if (outcome === 'cancelled') {
    // Nothing waits for a person any more: what is left open closes with the campaign.
    for (const left of [...run.open]) {
      const resolution = interventionCatalog[left.kind].resolutions.includes('cancel')
        ? 'cancel'
        : 'dismiss';
      await resolveOpen(run, left, resolution, {
        by: status.cancelledBy ?? 'unknown',
        note: 'campaign cancelled',
      });
    }
    await enterPhase(run, 'cancelled');
    await condition(allHandlersFinished);
    return {
      campaignId: run.input.campaignId,
      outcome,
      reason: `cancelled by ${status.cancelledBy}`,
    };
  }
  await enterPhase(run, 'completed');
  await condition(allHandlersFinished);
  return { campaignId: run.input.campaignId, outcome, report: status.report ?? undefined };
}
