/**
 * Collecting entries: the webhook's nudge decides new entries within seconds; an activity
 * polls X's lists and checks the webhook meanwhile, waking the workflow only when it finds
 * something; instant wins are sent as they are decided. Idle collection adds no history.
 */
import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { finalPolling, watching } from './activity-proxies';
import { awaitReapproval } from './approval';
import { checkAutomation, holdCollecting, recordArmedFinding, watchesWebhook } from './automation';
import { continueAsNewIfSuggested, deliverQueue } from './delivering';
import { drainEntries, retryDelayMs, settleEntries } from './entries';
import { blocked, cancelled, type CampaignPlan, type CampaignRun } from './state';
import { ARMED_CHECK_INTERVAL_MS } from './stops';

type WatchOutcome = Awaited<ReturnType<Activities['watchEntries']>>;

/** After a watch failed for good, polling rests this long before it starts again. */
const WATCH_REST_MS = 60_000;

/** The entry watch: one activity at a time, restarted after it reports. */
class EntryWatch {
  private scope: CancellationScope | undefined;
  private running: Promise<void> | undefined;
  private watchingWebhook = false;
  outcome: WatchOutcome | undefined;
  /** The last watch failed for good (not cancelled): it rests a poll interval before the next. */
  failed = false;

  constructor(private readonly run: CampaignRun) {}

  /** Starts the watch, or restarts it when what it should check changed. */
  async ensure(watchWebhook: boolean): Promise<void> {
    // A webhook found gone is taken at the next pass, never thrown away here. Entries it
    // reported need nothing more: every pass decides what is stored.
    if (this.outcome?.kind === 'disarmed' || this.failed) return;
    if (this.running && this.watchingWebhook === watchWebhook) return;
    await this.stop();
    this.watchingWebhook = watchWebhook;
    this.outcome = undefined;
    this.run.watchReported = false;
    const scope = new CancellationScope();
    this.scope = scope;
    this.running = scope
      .run(() =>
        watching.watchEntries({
          campaignId: this.run.input.campaignId,
          watchArmed: watchWebhook,
          armedCheckIntervalMs: ARMED_CHECK_INTERVAL_MS,
        }),
      )
      .then(
        (outcome) => {
          this.outcome = outcome;
          this.run.watchReported = true;
        },
        (error: unknown) => {
          // A cancelled watch is a stopped one; a failed one is started again after a rest.
          if (isCancellation(error)) return;
          this.failed = true;
          this.run.watchReported = true;
        },
      )
      .finally(() => {
        if (this.scope === scope) {
          this.running = undefined;
          this.scope = undefined;
        }
      });
  }

  /** Takes what the watch reported, if anything. */
  take(): WatchOutcome | undefined {
    const outcome = this.outcome;
    this.outcome = undefined;
    this.run.watchReported = false;
    return outcome;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.scope?.cancel();
    await this.running;
  }
}

export async function collect(run: CampaignRun, plan: CampaignPlan): Promise<void> {
  const { loop } = run;
  const automation = loop.watch;
  const endAtMs = Date.parse(plan.endAt);
  const watch = new EntryWatch(run);
  /** Workflow time (ms) before which the watch is not restarted (events held by X's window). */
  let watchPausedUntilMs = 0;
  // Past the end, X is read once more for the last minute; a held collection only takes in
  // what the webhook (and its replay) delivers, never undated polled engagements.
  let polledPastEnd = false;
  try {
    while (!cancelled(run)) {
      await awaitReapproval(run);
      if (cancelled(run)) return;
      // Taken now: a nudge from here on (while deciding or sending) wakes the next pass.
      run.entriesArrived = false;
      const reported = watch.take();
      if (watch.failed) {
        watch.failed = false;
        watchPausedUntilMs = Date.now() + WATCH_REST_MS;
      }
      if (reported?.kind === 'disarmed') {
        await recordArmedFinding(run, plan, {
          armed: false,
          checkedAt: reported.checkedAt,
          problem: reported.problem,
          lastArmedAt: reported.lastArmedAt,
        });
      }
      const pastEnd = Date.now() >= endAtMs || loop.endCollecting;
      if (!pastEnd && !automation.dismissed && automation.nextCheckAtMs === 0) {
        // The first check, at the start of collection, shows on the status at once.
        await checkAutomation(run, plan);
      }
      if (pastEnd && !polledPastEnd) {
        await watch.stop();
        polledPastEnd = true;
        try {
          await finalPolling.watchEntries({
            campaignId: run.input.campaignId,
            watchArmed: false,
            armedCheckIntervalMs: ARMED_CHECK_INTERVAL_MS,
            once: true,
          });
        } catch (error) {
          // Polling is reconciliation: what the webhook stored is decided all the same.
          if (!(error instanceof ActivityFailure)) throw error;
        }
      }
      const drained = await drainEntries(run, plan, { forResults: plan.kind === 'instant_win' });
      if (drained.remaining > 0 && !drained.yielded) {
        watchPausedUntilMs = Date.now() + retryDelayMs(drained);
      }
      // Results left in the queue for arrivals to be decided first: the next pass sends on,
      // whatever the watch's restart below does with its report.
      let resultsLeft = false;
      if (plan.kind === 'instant_win' && !run.status.paused && !blocked(run, 'sending')) {
        resultsLeft = await deliverQueue(run, 'window_full');
      }
      const ended = Date.now() >= endAtMs || loop.endCollecting;
      if (ended && !(await holdCollecting(run, plan))) {
        await watch.stop();
        // What arrived while the last results were sent is decided before collection ends.
        await settleEntries(run);
        return;
      }
      // The watch reads X while collecting; it rests while decisions are held (it would only
      // report the same undecided events again) and after the end.
      if (!ended && !drained.held && Date.now() >= watchPausedUntilMs) {
        await watch.ensure(watchesWebhook(run));
      } else if (ended || drained.held) {
        await watch.stop();
      }
      const openCount = run.open.length;
      const wasPaused = run.status.paused;
      const wakeAt = [
        ended ? undefined : endAtMs,
        // Past the end only a held collection waits: for a person, or for X's replay.
        ended && automation.replayGraceUntilMs > Date.now()
          ? automation.replayGraceUntilMs
          : undefined,
        watchPausedUntilMs > Date.now() ? watchPausedUntilMs : undefined,
        loop.sendWindowAtMs !== undefined && loop.sendWindowAtMs > Date.now()
          ? loop.sendWindowAtMs
          : undefined,
      ].filter((at): at is number => at !== undefined);
      if (loop.sendWindowAtMs !== undefined && loop.sendWindowAtMs <= Date.now()) {
        loop.sendWindowAtMs = undefined;
      }
      // Wake only for what this loop can act on: a nudge to a queue it may not send from now
      // (paused, or held by a stop) would spin the loop until the stop ends.
      const canSend = () =>
        plan.kind === 'instant_win' && !run.status.paused && !blocked(run, 'sending');
      const woken = () =>
        resultsLeft ||
        // Entries left undecided while their results went out: decided next.
        drained.yielded === true ||
        run.entriesArrived ||
        run.watchReported ||
        cancelled(run) ||
        (!ended && loop.endCollecting) ||
        loop.reapprovalNeeded ||
        (run.queueNudged && canSend()) ||
        run.open.length < openCount ||
        // A resume may have results to send.
        (wasPaused && !run.status.paused);
      if (wakeAt.length > 0) {
        await condition(woken, Math.max(0, Math.min(...wakeAt) - Date.now()));
      } else {
        await condition(woken);
      }
      if (workflowInfo().continueAsNewSuggested) await watch.stop();
      await continueAsNewIfSuggested(run);
    }
  } finally {
    await watch.stop();
  }
}
