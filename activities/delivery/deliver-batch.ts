/**
 * Sending a batch of queued results in one activity: paced inside it (a minimum gap with jitter
 * between sends), heartbeating its progress, and honouring cancellation within about a second.
 * One activity per batch instead of one per DM keeps the workflow's history to a few events per
 * batch. Each send is the single-send pipeline (`sendDelivery`), called as a plain function.
 *
 * Progress (counts, the error-rate window, the last send's instant) travels in the heartbeat
 * details, so an attempt retried after a transient X failure or a lost worker goes on where the
 * last one stopped: counts stay right and the gap before the next send holds.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import type { Db } from '../../db/client';
import { deliveryCounts, nextQueuedDeliveries } from '../../db/repositories/deliveries';
import { errorRateExceeded } from '../../domain/interventions';
import { runNested } from '../nested-context';
import type { XBudgetGuard } from './x-budget';
import type { SendOutcome } from './send-delivery';
import { type PacingSleep, realPacingSleep } from './pacing-sleep';

export interface DeliverBatchInput {
  campaignId: string;
  /** The workflow's time when it scheduled the batch; the activity moves it on by the real time elapsed. */
  now: string;
  /** Stop after this many sends that ended sent|failed (continue-as-new bookkeeping). */
  maxSends: number;
  pacing: { minGapSeconds: number; jitterSeconds: number };
  /** When the previous batch's last send ended (ms since epoch, workflow time), so pacing carries across batches. */
  lastSendAtMs?: number;
  safety: { errorRateThreshold: number; errorRateWindow: number; errorRateMinAttempts: number };
  /** The sliding window of recent outcomes (true = failed), carried across batches. */
  recentFailures: boolean[];
}

export type BatchStop =
  | { kind: 'drained' }
  | { kind: 'max_sends' }
  | { kind: 'cancelled' }
  | { kind: 'quota_full'; nextWindowAt: string }
  | { kind: 'halted'; code: string; category: string; deliveryId: string; accountHalted?: boolean }
  | { kind: 'error_rate'; failed: number; window: number; threshold: number }
  /**
   * A 429 on any send (X's reset as `afterMs`), or another transient X failure (a 5xx) after
   * this attempt had sent: the batch ends with what it sent and the workflow starts the next one
   * after `afterMs`, so a rate limit never uses the retry budget, and the budget counts failures
   * in a row, as it did per DM, not failures per batch.
   */
  | { kind: 'retry_later'; afterMs: number; code: string; deliveryId: string };

export interface DeliverBatchResult {
  /** Sends that ended sent / failed in this activity, across ALL its attempts (carried in heartbeat details). */
  sent: number;
  failed: number;
  /** After this batch ([] right after an error_rate stop). */
  recentFailures: boolean[];
  lastSendAtMs?: number;
  /** Deliveries still queued when the batch ended. */
  queueLength: number;
  stop: BatchStop;
}

/** What a batch's heartbeats carry; a retried attempt starts from it. */
export interface BatchProgress {
  sent: number;
  failed: number;
  recentFailures: boolean[];
  lastSendAtMs?: number;
  /** The running send's own heartbeat (its X calls' checkpoints), handed back on a retry. */
  inner?: unknown;
  /**
   * Attempts in a row that a transient failure ended (X's, or the database's; reset by a send
   * that ends). The retry budget and the backoff count these only: an attempt lost with its
   * worker is retried at once.
   */
  failuresInRow?: number;
}

/** Named with the failure of a batch whose retries ran out, so the workflow can name them. */
export interface BatchFailureDetails {
  deliveryId: string;
  sent: number;
  failed: number;
}

export interface DeliverBatchDeps {
  db: Db;
  /** The single-send pipeline, called as a plain function (not scheduled through Temporal). */
  sendDelivery: (input: { deliveryId: string; now: string }) => Promise<SendOutcome>;
  /** Real time unless injected (workflow tests compress it). */
  pacingSleep?: PacingSleep;
  /** Each gap's jitter as a share of the jitter span, in [0, 1). */
  random?: () => number;
  /** Milliseconds elapsed on the activity's clock (tests pass one their sleep moves). */
  clock?: () => number;
  /** The campaign's X API budget: asked before each send (x-budget.ts); none, no limit. */
  xBudget?: XBudgetGuard;
}

/** The wait before the next batch after a transient failure without X's own retry instant. */
const RETRY_LATER_MS = 5_000;

/**
 * Transient failures in a row that one batch retries before a person is asked: the retry
 * policy's own attempts are for lost workers (sending's options in the workflow).
 */
export const FAILURES_IN_ROW_ALLOWED = 10;

/** The wait after the n-th transient failure in a row: 5 s, doubling, at most 10 minutes. */
export function failureBackoffMs(failuresInRow: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failuresInRow - 1), 10 * 60_000);
}

/** Cancellation reaches an activity only through its heartbeats: one a second at least. */
const HEARTBEAT_EVERY_MS = 1_000;

function isProgress(details: unknown): details is BatchProgress {
  if (!details || typeof details !== 'object') return false;
  const candidate = details as Partial<BatchProgress>;
  return (
    typeof candidate.sent === 'number' &&
    typeof candidate.failed === 'number' &&
    Array.isArray(candidate.recentFailures) &&
    (candidate.lastSendAtMs === undefined || typeof candidate.lastSendAtMs === 'number')
  );
}

/**
 * The send's failure as it was (type, message, retryability), naming the batch's progress. A
 * retryable one is the `failuresInRow`-th in a row: it carries its own backoff (X's retry
 * instant when it gave one), and the last one the budget allows is not retried.
 */
function failureWithProgress(
  error: unknown,
  progress: BatchFailureDetails,
  failuresInRow: number,
): ApplicationFailure {
  const known = error instanceof ApplicationFailure ? error : undefined;
  // What the worker would make of a plain error: retryable, typed by its name.
  const cause = known ?? (error instanceof Error ? error : new Error(String(error)));
  const retryable = !(known?.nonRetryable ?? false);
  const budgetSpent = retryable && failuresInRow >= FAILURES_IN_ROW_ALLOWED;
  const nextRetryDelay =
    msOptionalToNumber(known?.nextRetryDelay ?? undefined) ?? failureBackoffMs(failuresInRow);
  const failure = ApplicationFailure.create({
    message: budgetSpent
      ? `${cause.message} (${failuresInRow} attempts in a row failed / ${failuresInRow} 回連続で失敗)`
      : cause.message,
    ...(known ? (known.type ? { type: known.type } : {}) : { type: cause.name }),
    nonRetryable: !retryable || budgetSpent,
    details: [...(known?.details ?? []), progress],
    ...(retryable && !budgetSpent ? { nextRetryDelay } : {}),
    ...(known ? (known.cause ? { cause: known.cause } : {}) : { cause }),
  });
  if (known) failure.stack = known.stack;
  return failure;
}

export function createDeliverBatchActivity({
  db,
  sendDelivery,
  pacingSleep = realPacingSleep,
  random = Math.random,
  clock = Date.now,
  xBudget,
}: DeliverBatchDeps) {
  async function queueLength(campaignId: string): Promise<number> {
    const counts = await deliveryCounts(db, campaignId);
    return counts.queued + counts.reserved + counts.sending;
  }

  return {
    /**
     * Sends queued deliveries of the campaign one by one, paced, until the queue is empty,
     * `maxSends` sends ended, cancellation was requested, or a send stops the batch (the day's
     * cap, a halt, the error rate). A 429 ends the batch (retry_later at X's reset), and so does
     * another transient X failure once the attempt has sent; any other transient failure fails
     * the attempt with its own backoff, and the tenth in a row is not retried (a person looks).
     */
    async deliverBatch(input: DeliverBatchInput): Promise<DeliverBatchResult> {
      const context = Context.current();
      const signal = context.cancellationSignal;
      const { scheduledTimestampMs, currentAttemptScheduledTimestampMs } = context.info;
      // The workflow's time at this attempt's start: its time when it scheduled the batch, moved
      // on by the server's time from the first attempt's schedule to this one's (a retry comes
      // after the earlier attempts; the time-skipping server leaves out the last backoff), then
      // by the real time elapsed here. Retries get the same input, so `now` alone would lag.
      const attemptStartsAt =
        Date.parse(input.now) +
        Math.max(0, currentAttemptScheduledTimestampMs - scheduledTimestampMs);
      const startedAt = clock();
      const workflowNow = () => attemptStartsAt + (clock() - startedAt);
      const resumed: unknown = context.info.heartbeatDetails;
      const progress: BatchProgress = isProgress(resumed)
        ? { ...resumed, recentFailures: [...resumed.recentFailures] }
        : {
            sent: 0,
            failed: 0,
            recentFailures: [...input.recentFailures],
            ...(input.lastSendAtMs !== undefined ? { lastSendAtMs: input.lastSendAtMs } : {}),
          };

      const beat = () => context.heartbeat(structuredClone(progress));
      /** Sends that ended sent|failed in this attempt (progress counts all attempts). */
      let sentThisAttempt = 0;
      const finish = async (stop: BatchStop): Promise<DeliverBatchResult> => ({
        sent: progress.sent,
        failed: progress.failed,
        recentFailures: progress.recentFailures,
        ...(progress.lastSendAtMs !== undefined ? { lastSendAtMs: progress.lastSendAtMs } : {}),
        queueLength: await queueLength(input.campaignId),
        stop,
      });
      /** Waits `ms` on the pacing sleep, heartbeating every second; ends at once on cancellation. */
      const waitOut = async (ms: number) => {
        // Counted down by what was asked of the sleep, not by the clock: a compressed test
        // sleep then costs a fraction of the gap instead of looping until real time catches up.
        for (let left = ms; left > 0 && !signal.aborted; left -= HEARTBEAT_EVERY_MS) {
          beat();
          await pacingSleep(Math.min(left, HEARTBEAT_EVERY_MS), signal);
        }
      };

      /** The delivery whose send is under way, named by a failure. */
      let sending = '';
      const sendUntilStopped = async (): Promise<DeliverBatchResult> => {
        for (;;) {
          sending = '';
          let [next] = await nextQueuedDeliveries(db, input.campaignId, 1);
          if (!next) return finish({ kind: 'drained' });
          if (progress.sent + progress.failed >= input.maxSends)
            return finish({ kind: 'max_sends' });
          if (progress.lastSendAtMs !== undefined) {
            const { minGapSeconds, jitterSeconds } = input.pacing;
            const gapMs = minGapSeconds * 1000 + Math.floor(random() * jitterSeconds * 1000);
            // Never more than one gap from now, whatever clock the last send was dated by.
            const waitMs = Math.min(gapMs, progress.lastSendAtMs + gapMs - workflowNow());
            if (waitMs > 0) {
              await waitOut(waitMs);
              // A resend queued, or a delivery settled, during the gap: the queue's head decides.
              if (!signal.aborted) [next] = await nextQueuedDeliveries(db, input.campaignId, 1);
              if (!next) return finish({ kind: 'drained' });
            }
          }
          beat();
          if (signal.aborted) return finish({ kind: 'cancelled' });

          const deliveryId = next.id;
          sending = deliveryId;
          // Before the send's X call, not after: a send that would pass the budget never goes.
          const overBudget = await xBudget?.checkBudget(next);
          if (overBudget) {
            return finish({
              kind: 'halted',
              code: overBudget.code,
              category: overBudget.category,
              deliveryId,
            });
          }
          // An X call (with its waits) can take a while: heartbeats go on so a cancellation is
          // seen, and the send's own heartbeats travel inside the batch's.
          const ticker = setInterval(beat, HEARTBEAT_EVERY_MS);
          let outcome: SendOutcome;
          try {
            outcome = await runNested(
              {
                heartbeat: (details) => {
                  progress.inner = details;
                  beat();
                },
                heartbeatDetails: progress.inner,
                // Only the first send of a retried attempt may be the one in doubt: it reconciles
                // with X first; the sends after it are first attempts of their own.
                attempt: sentThisAttempt === 0 ? context.info.attempt : 1,
              },
              () => sendDelivery({ deliveryId, now: new Date(workflowNow()).toISOString() }),
            );
          } catch (error) {
            // Cancelled while an X call waited: the send stays in doubt and is reconciled later.
            if (signal.aborted && error instanceof CancelledFailure) {
              return finish({ kind: 'cancelled' });
            }
            beat();
            // A 429 is never a failure (X's reset is when to try again), whatever send of the batch
            // met it; another transient error after the attempt has sent ends the batch too, so the
            // retry budget counts failures in a row.
            const rateLimited =
              error instanceof ApplicationFailure && error.type === 'rate_limited';
            if (
              error instanceof ApplicationFailure &&
              !error.nonRetryable &&
              (sentThisAttempt > 0 || rateLimited)
            ) {
              return finish({
                kind: 'retry_later',
                afterMs: msOptionalToNumber(error.nextRetryDelay ?? undefined) ?? RETRY_LATER_MS,
                code: error.type ?? 'transient',
                deliveryId,
              });
            }
            throw error;
          } finally {
            clearInterval(ticker);
          }
          delete progress.inner;

          switch (outcome.status) {
            case 'skipped':
              continue;
            case 'quota_full':
              return finish({ kind: 'quota_full', nextWindowAt: outcome.nextWindowAt });
            case 'halted':
              return finish({
                kind: 'halted',
                code: outcome.code,
                category: outcome.category,
                deliveryId,
                ...(outcome.accountHalted ? { accountHalted: true } : {}),
              });
            case 'sent':
            case 'failed': {
              sentThisAttempt += 1;
              delete progress.failuresInRow;
              const failed = outcome.status === 'failed';
              if (failed) progress.failed += 1;
              else progress.sent += 1;
              const { errorRateThreshold, errorRateWindow, errorRateMinAttempts } = input.safety;
              progress.recentFailures = [...progress.recentFailures, failed].slice(
                -errorRateWindow,
              );
              progress.lastSendAtMs = workflowNow();
              const limits = {
                threshold: errorRateThreshold,
                window: errorRateWindow,
                minAttempts: errorRateMinAttempts,
              };
              if (errorRateExceeded(progress.recentFailures, limits)) {
                const failures = progress.recentFailures.filter(Boolean).length;
                progress.recentFailures = [];
                beat();
                return finish({
                  kind: 'error_rate',
                  failed: failures,
                  window: errorRateWindow,
                  threshold: errorRateThreshold,
                });
              }
              beat();
            }
          }
        }
      };

      try {
        return await sendUntilStopped();
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        // Any transient failure of the attempt counts, X's or the database's: the next attempt
        // waits its backoff and goes on from the heartbeat.
        if (!(error instanceof ApplicationFailure && error.nonRetryable)) {
          progress.failuresInRow = (progress.failuresInRow ?? 0) + 1;
          // The last heartbeat reaches the server before the failure: the retry counts on.
          beat();
        }
        throw failureWithProgress(
          error,
          { deliveryId: sending, sent: progress.sent, failed: progress.failed },
          progress.failuresInRow ?? 0,
        );
      }
    },
  };
}

export type DeliverBatchActivity = ReturnType<typeof createDeliverBatchActivity>;
