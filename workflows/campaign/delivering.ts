/**
 * Sending queued results under the account's daily DM cap. One activity sends a batch, paced
 * inside it; the workflow starts batches, stops them when a person or a change says so, and
 * sleeps to the next local day when the cap is used.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { sending } from './activity-proxies';
import { awaitReapproval } from './approval';
import { waitKeepingDeadlines } from './claim-deadlines';
import { SENDS_AMID_ARRIVALS_PATCH } from './patches';
import { blocked, cancelled, type CampaignRun, type CampaignRunInput } from './state';
import { openInterventionOnce, stopSending } from './stops';

type BatchResult = Awaited<ReturnType<Activities['deliverBatch']>>;

/** Sends per batch: a day's cap (XTEP's is 100) in one activity, a handful of events per day. */
const BATCH_SENDS = 100;
const DEFAULT_SAFETY = { errorRateThreshold: 0.3, errorRateWindow: 20, errorRateMinAttempts: 10 };
const DEFAULT_PACING = { minGapSeconds: 20, jitterSeconds: 10 };
/**
 * While entries keep arriving (X's webhook delivers a burst one event at a time), an instant win
 * still sends up to this many results between two decisions, uninterrupted by new arrivals.
 * Before it, every arrival cancelled the batch before it sent: a stream of entries starved
 * sending until it ended (#14's latency benchmark: 0–1 batches while 500 entries arrived).
 */
const SENDS_AMID_ARRIVALS = 20;

/** Entries or X's events are waiting to be decided. */
const arrivalsPending = (run: CampaignRun): boolean => run.entriesArrived || run.watchReported;

/** The batch's progress its heartbeats carried, if a cancellation brought it back. */
function progressOf(failure: unknown): Partial<BatchResult> | undefined {
  if (!(failure instanceof CancelledFailure)) return undefined;
  const [details] = failure.details;
  if (!details || typeof details !== 'object') return undefined;
  const progress = details as Partial<BatchResult>;
  return typeof progress.sent === 'number' && typeof progress.failed === 'number'
    ? progress
    : undefined;
}

/** Long campaigns start a fresh run with their state once Temporal suggests it. */
export async function continueAsNewIfSuggested(run: CampaignRun): Promise<void> {
  const testingLimit = run.input.options?.continueAsNewAfterSends;
  const forced = testingLimit !== undefined && run.sendsThisRun >= testingLimit;
  if (!workflowInfo().continueAsNewSuggested && !forced) return;
  await condition(allHandlersFinished);
  const { options, ...rest } = run.input;
  await continueAsNew<(input: CampaignRunInput) => Promise<unknown>>({
    ...rest,
    ...(forced ? {} : options ? { options } : {}),
    resume: { status: run.status, plan: run.plan, loop: run.loop },
  });
}

/**
 * Blocks while paused, while a stop holds sending back, or while a changed configuration waits
 * for approval; false when the campaign was cancelled meanwhile.
 */
export async function untilRunning(run: CampaignRun): Promise<boolean> {
  for (;;) {
    await awaitReapproval(run);
    // Paused or stopped for a person: sending waits, claim deadlines do not.
    await waitKeepingDeadlines(
      run,
      () =>
        (!run.status.paused && !blocked(run, 'sending')) ||
        run.loop.reapprovalNeeded ||
        cancelled(run),
    );
    if (cancelled(run)) return false;
    if (!run.loop.reapprovalNeeded) return true;
  }
}

/**
 * Whether a running batch must stop now: the same things that keep the next one from starting.
 * A slice (sent amid arrivals) is not stopped by new arrivals.
 */
function mustStop(run: CampaignRun, until: 'window_full' | 'drained', slice = false): boolean {
  return (
    cancelled(run) ||
    run.status.paused ||
    blocked(run, 'sending') ||
    run.loop.reapprovalNeeded ||
    // New entries wait for no queue: collection decides them, then sends on.
    (until === 'window_full' && !slice && arrivalsPending(run))
  );
}

/** One batch, cancelled as soon as it must stop; null when it failed (a stop is then open). */
async function runBatch(
  run: CampaignRun,
  until: 'window_full' | 'drained',
  slice: boolean,
): Promise<BatchResult | null> {
  const limit = run.input.options?.continueAsNewAfterSends;
  const untilLimit = limit === undefined ? BATCH_SENDS : Math.max(1, limit - run.sendsThisRun);
  const maxSends = slice ? Math.min(SENDS_AMID_ARRIVALS, untilLimit) : untilLimit;
  const scope = new CancellationScope();
  let done = false;
  const batch = scope.run(() =>
    sending.deliverBatch({
      campaignId: run.input.campaignId,
      now: new Date().toISOString(),
      maxSends,
      pacing: run.plan?.pacing ?? DEFAULT_PACING,
      ...(run.loop.lastSendAtMs !== undefined ? { lastSendAtMs: run.loop.lastSendAtMs } : {}),
      safety: run.plan?.safety ?? DEFAULT_SAFETY,
      recentFailures: run.loop.recentFailures,
    }),
  );
  const watcher = condition(() => done || mustStop(run, until, slice)).then(() => {
    if (!done) scope.cancel();
  });
  try {
    return await batch;
  } catch (error) {
    if (isCancellation(error)) {
      // Cancelled before an attempt could answer: before it started (nothing sent), or while
      // it waited for a retry, when its last heartbeat says what the earlier attempts sent.
      const progress = progressOf(error instanceof ActivityFailure ? error.cause : error);
      return {
        sent: progress?.sent ?? 0,
        failed: progress?.failed ?? 0,
        recentFailures: progress?.recentFailures ?? run.loop.recentFailures,
        ...(progress?.lastSendAtMs !== undefined ? { lastSendAtMs: progress.lastSendAtMs } : {}),
        queueLength: run.status.queueLength,
        stop: { kind: 'cancelled' },
      };
    }
    if (!(error instanceof ActivityFailure)) throw error;
    // X kept failing transiently through every retry: a person looks at it.
    const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
    const progress = (cause?.details?.find(
      (d) => typeof d === 'object' && d !== null && 'deliveryId' in d,
    ) ?? {}) as { deliveryId?: string; sent?: number; failed?: number };
    run.status.counts.sent += progress.sent ?? 0;
    run.status.counts.failed += progress.failed ?? 0;
    await stopSending(run, {
      code: cause?.type ?? 'send_retries_exhausted',
      category: 'transient',
      deliveryId: progress.deliveryId ?? '',
    });
    return null;
  } finally {
    done = true;
    await watcher;
  }
}

/**
 * Sends queued deliveries under the account's daily DM cap. `until: 'window_full'` stops at a
 * full day (instant wins keep collecting); `until: 'drained'` sleeps to the next local day.
 */
export async function deliverQueue(
  run: CampaignRun,
  until: 'window_full' | 'drained',
): Promise<boolean> {
  const { status, loop } = run;
  let sliceSent = false;
  for (;;) {
    run.queueNudged = false;
    if (!(await untilRunning(run))) return false;
    let slice = false;
    if (until === 'window_full' && arrivalsPending(run)) {
      if (!patched(SENDS_AMID_ARRIVALS_PATCH)) return false;
      // One slice per pass of collection, then the arrivals are decided and collection comes
      // back for the rest (true: results may be left in the queue).
      if (sliceSent) return true;
      slice = true;
    }
    sliceSent = true;
    const result = await runBatch(run, until, slice);
    if (!result) continue;
    status.counts.sent += result.sent;
    status.counts.failed += result.failed;
    status.queueLength = result.queueLength;
    run.sendsThisRun += result.sent + result.failed;
    // A sent win message starts its claim deadline: the next wait settles first to know it.
    if (result.sent > 0 && run.plan?.claims) run.claimsStale = true;
    loop.recentFailures = result.recentFailures;
    if (result.lastSendAtMs !== undefined) loop.lastSendAtMs = result.lastSendAtMs;
    const stop = result.stop;
    if (stop.kind === 'drained' && !run.queueNudged) return false;
    if (stop.kind === 'quota_full') {
      if (until === 'window_full') {
        loop.sendWindowAtMs = Date.parse(stop.nextWindowAt);
        return false;
      }
      status.nextWindowAt = stop.nextWindowAt;
      await waitKeepingDeadlines(
        run,
        () => cancelled(run),
        Math.max(0, Date.parse(stop.nextWindowAt) - Date.now()),
      );
      status.nextWindowAt = null;
    }
    if (stop.kind === 'halted') {
      await stopSending(run, {
        code: stop.code,
        category: stop.category,
        deliveryId: stop.deliveryId,
        ...(stop.accountHalted ? { accountHalted: true } : {}),
      });
    }
    if (stop.kind === 'retry_later') {
      // X failed transiently after the batch had sent: the next batch starts after X's wait.
      await condition(() => mustStop(run, until), stop.afterMs);
    }
    if (stop.kind === 'error_rate') {
      // Too many of the recent sends failed: stop for a person before more go wrong.
      await openInterventionOnce(
        run,
        'error_rate',
        `sent:${status.counts.sent + status.counts.failed}`,
        {
          failed: stop.failed,
          window: stop.window,
          threshold: stop.threshold,
        },
      );
    }
    await continueAsNewIfSuggested(run);
    if (cancelled(run)) return false;
  }
}
