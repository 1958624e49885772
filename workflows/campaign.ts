import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign-activities';
import type {
  CampaignPlan,
  CampaignRuntimeActivities,
  EntryCursors,
} from '../activities/campaign-runtime';
import { type CampaignPhase, campaignPhases } from '../domain/phases';
import {
  approveSignal,
  cancelSignal,
  type CampaignStatus,
  entriesArrivedSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from './messages';
import { CampaignPhaseKey, NeedsAttentionKey } from './search-attributes';
import type { CampaignWorkflowInput, CampaignWorkflowResult, ResumeState } from './types';

const db = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const runtime = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** X reads page through long lists and heartbeat their cursor; rate limits are waited out. */
const polling = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '15 minutes',
    maximumAttempts: 8,
  },
});

/**
 * One send: transient X errors are retried with backoff (429s at X's reset, via the failure's
 * nextRetryDelay); permanent ones come back as an outcome and are never retried.
 */
const sender = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 10,
  },
});

/** How often entries are reconciled by polling while collecting (webhooks nudge sooner). */
const POLL_INTERVAL_MS = 60_000;
const ENTRY_BATCH = 500;
const DELIVERY_BATCH = 50;

export async function campaignWorkflow(
  input: CampaignWorkflowInput,
): Promise<CampaignWorkflowResult> {
  const resume: ResumeState | undefined = input.resume;
  const status: CampaignStatus = resume?.status ?? {
    campaignId: input.campaignId,
    phase: 'preflight',
    paused: false,
    needsAttention: false,
    preflight: null,
    approvedBy: null,
    refusedApprovals: [],
    cancelledBy: null,
    counts: { entryEvents: 0, eligible: 0, won: 0, sent: 0, failed: 0 },
    queueLength: 0,
    nextWindowAt: null,
    halt: null,
    draw: null,
    report: null,
  };
  let plan: CampaignPlan | null = resume?.plan ?? null;
  let cursors: EntryCursors = resume?.cursors ?? {};
  let entriesArrived = false;
  let sendsThisRun = 0;

  setHandler(statusQuery, () => status);
  setHandler(approveSignal, ({ by }) => {
    if (status.phase !== 'awaiting_approval' || status.approvedBy) return;
    if (by === input.author) {
      status.refusedApprovals.push({ by, reason: 'author_cannot_approve' });
      return;
    }
    if (status.preflight && !status.preflight.ok) {
      // Blocking findings (e.g. prizes over the 景品表示法 caps) must be fixed before launch.
      status.refusedApprovals.push({ by, reason: 'preflight_blocking' });
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
  setHandler(entriesArrivedSignal, () => {
    entriesArrived = true;
  });

  const cancelled = () => status.cancelledBy !== null;

  function publishAttention(): void {
    upsertSearchAttributes([
      { key: CampaignPhaseKey, value: status.phase },
      { key: NeedsAttentionKey, value: status.needsAttention },
    ]);
  }

  async function enterPhase(phase: CampaignPhase): Promise<void> {
    status.phase = phase;
    publishAttention();
    await db.recordPhase({
      campaignId: input.campaignId,
      phase,
      workflowRunId: workflowInfo().runId,
    });
  }

  /** Long campaigns start a fresh run with their state once Temporal suggests it. */
  async function continueAsNewIfSuggested(): Promise<void> {
    const testingLimit = input.options?.continueAsNewAfterSends;
    const forced = testingLimit !== undefined && sendsThisRun >= testingLimit;
    if (!workflowInfo().continueAsNewSuggested && !forced) return;
    await condition(allHandlersFinished);
    const { options: _options, ...rest } = input;
    await continueAsNew<typeof campaignWorkflow>({
      ...rest,
      ...(forced ? {} : { options: input.options }),
      resume: { status, plan, cursors },
    });
  }

  /** Blocks while paused; returns false when the campaign was cancelled meanwhile. */
  async function untilRunning(): Promise<boolean> {
    await condition(() => !status.paused || cancelled());
    return !cancelled();
  }

  async function haltForAttention(halt: NonNullable<CampaignStatus['halt']>): Promise<void> {
    status.halt = halt;
    status.paused = true;
    status.needsAttention = true;
    publishAttention();
    await condition(() => !status.paused || cancelled());
    status.halt = null;
    status.needsAttention = false;
    publishAttention();
  }

  async function drainEntries(): Promise<void> {
    for (;;) {
      const batch = await runtime.processEntries({
        campaignId: input.campaignId,
        now: new Date().toISOString(),
        limit: ENTRY_BATCH,
      });
      status.counts.entryEvents += batch.processed;
      status.counts.eligible += batch.newlyEligible;
      status.counts.won += batch.won;
      if (batch.remaining === 0 || batch.processed === 0) return;
    }
  }

  /**
   * Sends queued deliveries under the account's daily DM cap. `until: 'window_full'` stops at
   * a full day (instant wins keep collecting); `until: 'drained'` sleeps to the next local day.
   */
  async function deliverQueue(until: 'window_full' | 'drained'): Promise<void> {
    for (;;) {
      const { ids } = await runtime.listDeliveryQueue({
        campaignId: input.campaignId,
        limit: DELIVERY_BATCH,
      });
      status.queueLength = ids.length;
      if (ids.length === 0 || cancelled()) return;
      for (const deliveryId of ids) {
        if (!(await untilRunning())) return;
        let outcome;
        try {
          outcome = await sender.sendDelivery({ deliveryId, now: new Date().toISOString() });
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
          await haltForAttention({
            code: cause?.type ?? 'send_retries_exhausted',
            category: 'transient',
            deliveryId,
          });
          break;
        }
        if (outcome.status === 'quota_full') {
          if (until === 'window_full') return;
          status.nextWindowAt = outcome.nextWindowAt;
          await condition(cancelled, Math.max(0, Date.parse(outcome.nextWindowAt) - Date.now()));
          status.nextWindowAt = null;
          break;
        }
        if (outcome.status === 'halted') {
          await haltForAttention({ code: outcome.code, category: outcome.category, deliveryId });
          break;
        }
        if (outcome.status === 'sent') status.counts.sent += 1;
        if (outcome.status === 'failed') status.counts.failed += 1;
        status.queueLength = Math.max(0, status.queueLength - 1);
        if (outcome.status === 'sent' || outcome.status === 'failed') {
          sendsThisRun += 1;
          await pace();
          await continueAsNewIfSuggested();
        }
      }
    }
  }

  /** A minimum gap with jitter between sends: bursts of identical DMs get accounts restricted. */
  async function pace(): Promise<void> {
    const pacing = plan?.pacing ?? { minGapSeconds: 20, jitterSeconds: 10 };
    const gapMs =
      pacing.minGapSeconds * 1000 + Math.floor(Math.random() * pacing.jitterSeconds * 1000);
    await condition(cancelled, gapMs);
  }

  async function collect(activePlan: CampaignPlan): Promise<void> {
    const endAtMs = Date.parse(activePlan.endAt);
    while (!cancelled()) {
      try {
        const polled = await polling.pollEntries({ campaignId: input.campaignId, cursors });
        cursors = polled.cursors;
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        // Polling is reconciliation: a failed round is retried at the next interval.
      }
      await drainEntries();
      if (activePlan.kind === 'instant_win' && !status.paused) await deliverQueue('window_full');
      if (Date.now() >= endAtMs) return;
      entriesArrived = false;
      await condition(
        () => entriesArrived || cancelled(),
        Math.min(POLL_INTERVAL_MS, endAtMs - Date.now()),
      );
      await continueAsNewIfSuggested();
    }
  }

  async function finish(
    outcome: CampaignWorkflowResult['outcome'],
  ): Promise<CampaignWorkflowResult> {
    if (outcome === 'cancelled') {
      await enterPhase('cancelled');
      return {
        campaignId: input.campaignId,
        outcome,
        reason: `cancelled by ${status.cancelledBy}`,
      };
    }
    await enterPhase('completed');
    return { campaignId: input.campaignId, outcome, report: status.report ?? undefined };
  }

  // Phases run in order; a continued run picks up at the phase its state names.
  const startPhase = status.phase;
  const reached = (phase: CampaignPhase) =>
    campaignPhases.indexOf(startPhase) <= campaignPhases.indexOf(phase);

  if (reached('preflight')) {
    await enterPhase('preflight');
    status.preflight = await db.runPreflight({ campaignId: input.campaignId });
  }
  if (reached('awaiting_approval')) {
    status.needsAttention = true;
    await enterPhase('awaiting_approval');
    await condition(() => status.approvedBy !== null || cancelled());
    status.needsAttention = false;
    if (cancelled()) return finish('cancelled');
  }
  plan ??= await runtime.prepareCampaign({ campaignId: input.campaignId });

  if (reached('scheduled')) {
    await enterPhase('scheduled');
    await condition(cancelled, Math.max(0, Date.parse(plan.startAt) - Date.now()));
    if (cancelled()) return finish('cancelled');
  }
  if (reached('collecting')) {
    if (status.phase !== 'collecting') await enterPhase('collecting');
    await collect(plan);
    if (cancelled()) return finish('cancelled');
  }
  if (reached('drawing') && plan.kind === 'drawn') {
    await enterPhase('drawing');
    const draw = await runtime.drawCampaign({ campaignId: input.campaignId });
    status.draw = {
      seed: draw.seed,
      digest: draw.digest,
      entryCount: draw.entryCount,
      winners: draw.winners,
    };
    status.counts.won = draw.winners;
  }
  if (reached('delivering')) {
    if (status.phase !== 'delivering') await enterPhase('delivering');
    await deliverQueue('drained');
    if (cancelled()) return finish('cancelled');
  }
  await enterPhase('analyzing');
  status.report = await runtime.computeReport({
    campaignId: input.campaignId,
    now: new Date().toISOString(),
  });
  return finish('completed');
}
