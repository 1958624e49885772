/**
 * Polling as an activity, Temporal's "infrequent polling" pattern: each attempt reads X's lists
 * into entry_events (once per poll interval), checks the webhook subscription when that is due,
 * and completes only when the workflow has something to do: entry events to decide, or the
 * automation disarmed. Otherwise it fails with `nothing_new_yet` and the workflow's retry policy
 * (backoff coefficient 1) runs it again a minute later. Attempts waiting for their retry add no
 * history events, and the time-skipping test server skips time through that wait (it does not
 * while an activity runs, which is why the "frequent" heartbeat-loop pattern is not used here).
 *
 * What one attempt learnt (X's cursors, when X was read, when the webhook was last checked and
 * found armed) is kept in campaign_watch, since no attempt passes anything to the next.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { Db } from '../../db/client';
import {
  findCampaignWatch,
  saveWatchArmedCheck,
  saveWatchPoll,
  type WatchCursors,
} from '../../db/repositories/campaign-watch';
import { countUnprocessedEvents } from '../../db/repositories/entries';
import { type ArmedProblem, createArmedCheck } from '../campaign/armed-check';
import type { loadRunningCampaign } from '../campaign/campaign-loader';
import { runNested } from '../nested-context';
import type { XAccess } from '../x-access';
import { createEntryListsPoll, type EntryListsX } from './poll-x-lists';

export interface WatchEntriesInput {
  campaignId: string;
  /** Also check the webhook subscription every `armedCheckIntervalMs` (false when dismissed or a disarmed stop is open). */
  watchArmed: boolean;
  armedCheckIntervalMs: number;
  /** Poll once and return, never waiting (collection's last read past the end). */
  once?: boolean;
}

export type WatchOutcome =
  | { kind: 'entries'; undecided: number }
  | {
      kind: 'disarmed';
      checkedAt: string;
      problem: ArmedProblem | null;
      /** The last check that found the automation armed (null: never in this campaign). */
      lastArmedAt: string | null;
    }
  | { kind: 'polled'; undecided: number };

export interface WatchEntriesDeps {
  db: Db;
  x: EntryListsX & Pick<XAccess, 'xArmedCheck'>;
  loadConfig: (campaignId: string) => ReturnType<typeof loadRunningCampaign>;
  /** Where X delivers this deployment's events; unset: polling alone, always armed. */
  webhookUrl?: string;
  /** The wall clock, X's clock (the last instant X was seen delivering is dated by it). */
  now?: () => Date;
}

/**
 * A new watch (the workflow starts one again right after it took entries) reads X's lists only
 * when the last read is this old: the reposters list allows 75 reads per 15 minutes. Retries
 * read at once, their backoff being the poll interval. A little under the workflow's minute.
 */
export const POLL_INTERVAL_MS = 55_000;

/** The failure an attempt ends with when there is nothing for the workflow yet. */
export const NOTHING_NEW_YET = 'nothing_new_yet';

function nothingNewYet(): ApplicationFailure {
  // An expected outcome, once a minute per campaign: BENIGN, so the worker logs it at DEBUG
  // and records no failure metric.
  const failure = ApplicationFailure.create({
    type: NOTHING_NEW_YET,
    message: 'nothing new yet',
    nonRetryable: false,
    category: ApplicationFailureCategory.BENIGN,
  });
  failure.stack = `ApplicationFailure: ${failure.message}`;
  return failure;
}

export function createWatchEntriesActivity({
  db,
  x,
  loadConfig,
  webhookUrl,
  now,
}: WatchEntriesDeps) {
  const { pollEntryLists } = createEntryListsPoll({
    db,
    x,
    loadConfig,
    webhookUrl,
    keywordDms: true,
  });

  /** X's lists into entry_events; a failed read is logged and counts as nothing new. */
  async function pollLists(campaignId: string, cursors: WatchCursors, now: Date): Promise<void> {
    const context = Context.current();
    try {
      // Each attempt reads afresh: no page checkpoint of an earlier attempt is resumed.
      const polled = await runNested(
        {
          heartbeat: (details) => context.heartbeat({ step: 'poll', inner: details }),
          heartbeatDetails: undefined,
        },
        () => pollEntryLists(campaignId, cursors),
      );
      await saveWatchPoll(db, campaignId, { cursors: polled.cursors, polledAt: now });
    } catch (error) {
      if (context.cancellationSignal.aborted && error instanceof CancelledFailure) throw error;
      context.log.warn('Polling X for entries failed; trying again at the next interval', {
        campaignId,
        error: error instanceof Error ? error.message : String(error),
      });
      await saveWatchPoll(db, campaignId, { cursors, polledAt: now });
    }
  }

  const checkCampaignArmed = createArmedCheck({ db, x, webhookUrl, now });

  /** The webhook subscription's state; undefined when the check itself failed (no finding). */
  async function checkArmed(
    campaignId: string,
    at: Date,
  ): Promise<{ armed: boolean; problem: ArmedProblem | null } | undefined> {
    const context = Context.current();
    try {
      const { account } = await loadConfig(campaignId);
      return await checkCampaignArmed({ campaignId, accountId: account.id }, at);
    } catch (error) {
      if (context.cancellationSignal.aborted && error instanceof CancelledFailure) throw error;
      context.log.warn('Checking the webhook subscription failed; checking again later', {
        campaignId,
        error: error instanceof Error ? error.message : String(error),
      });
      // A failed check is no finding; it is dated, so the next one waits an interval.
      await saveWatchArmedCheck(db, campaignId, { checkedAt: at, seenAt: at, armed: false });
      return undefined;
    }
  }

  return {
    /**
     * One poll of the campaign's entries: `entries` when undecided entry events are stored,
     * `disarmed` when the webhook subscription is found gone, `polled` (with `once`) after one
     * read; otherwise it fails with `nothing_new_yet` for its retry policy to run it again.
     */
    async watchEntries(input: WatchEntriesInput): Promise<WatchOutcome> {
      const context = Context.current();
      // The attempt's schedule time on the server: in tests the server's clock is skipped while
      // the attempt waited for its retry, and the wall clock is not. (The time-skipping server
      // dates a retry by when it was scheduled, as the previous attempt failed: a backoff early.)
      const now = new Date(context.info.currentAttemptScheduledTimestampMs);
      const { campaignId } = input;
      context.heartbeat({ step: 'start' });

      const watch = await findCampaignWatch(db, campaignId);
      // A retry waited out its backoff (the poll interval) since the last attempt read X; a new
      // watch, started right after the workflow took entries, reads X only once an interval.
      const pollDue =
        input.once ||
        context.info.attempt > 1 ||
        !watch?.polledAt ||
        now.getTime() - watch.polledAt.getTime() >= POLL_INTERVAL_MS;
      if (pollDue) await pollLists(campaignId, watch?.cursors ?? {}, now);
      if (input.once) {
        return { kind: 'polled', undecided: await countUnprocessedEvents(db, campaignId) };
      }

      const checkDue =
        !watch?.armedCheckedAt ||
        now.getTime() - watch.armedCheckedAt.getTime() >= input.armedCheckIntervalMs;
      if (input.watchArmed && checkDue) {
        context.heartbeat({ step: 'armed_check' });
        const check = await checkArmed(campaignId, now);
        if (check && !check.armed) {
          const lastArmedAt = (await findCampaignWatch(db, campaignId))?.lastArmedAt ?? null;
          return {
            kind: 'disarmed',
            checkedAt: now.toISOString(),
            problem: check.problem,
            lastArmedAt: lastArmedAt?.toISOString() ?? null,
          };
        }
      }

      const undecided = await countUnprocessedEvents(db, campaignId);
      if (undecided > 0) return { kind: 'entries', undecided };
      throw nothingNewYet();
    },
  };
}

export type WatchEntriesActivity = ReturnType<typeof createWatchEntriesActivity>;
