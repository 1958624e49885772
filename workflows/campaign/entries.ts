/**
 * Deciding stored entry events: in batches while collecting, and every last one before the
 * draw, the last send and the report, so nothing a participant sent stays undecided.
 */
import { condition, patched } from '@temporalio/workflow';
import { deciding } from './activity-proxies';
import { awaitReapproval } from './approval';
import { SENDS_AMID_ARRIVALS_PATCH } from './patches';
import { blocked, cancelled, type CampaignPlan, type CampaignRun, senderHalted } from './state';
import { openInterventionOnce, stopSending } from './stops';

const ENTRY_BATCH = 500;
/** How long settling waits before asking again for events no batch could take. */
const SETTLE_RETRY_MS = 30_000;

export interface Drained {
  queued: number;
  /** Events still undecided (-1: not asked, decisions are held). */
  remaining: number;
  /** Decisions wait for a person (a stop, a change waiting for approval, a halted sender). */
  held: boolean;
  /** X's rate window for facts opens then: events waiting for it are decided after. */
  retryAt?: string;
  /** Stopped with events left so the results queued so far go out first (see `forResults`). */
  yielded?: boolean;
}

/**
 * Decides stored entry events in batches until none is left; returns the deliveries queued.
 * `forResults` (an instant win collecting): a batch that queued results ends the drain even with
 * events left, so a stream of entries never holds its results back; the caller comes back.
 */
export async function drainEntries(
  run: CampaignRun,
  plan: CampaignPlan,
  options: { forResults?: boolean } = {},
): Promise<Drained> {
  const { status, loop } = run;
  let queued = 0;
  for (;;) {
    if (blocked(run, 'entries')) return { queued, remaining: -1, held: true };
    // The sender is halted: its entries wait, stored, until a person resumes it.
    if (senderHalted(run)) return { queued, remaining: -1, held: true };
    const batch = await deciding.processEntries({
      campaignId: run.input.campaignId,
      now: new Date().toISOString(),
      limit: ENTRY_BATCH,
    });
    if (batch.halted) {
      // X refused the sender while the batch's facts were read: the same stop as a send.
      await stopSending(run, {
        code: batch.halted.code,
        category: batch.halted.category,
        deliveryId: '',
        accountHalted: true,
      });
      return { queued, remaining: batch.remaining, held: true };
    }
    status.counts.entryEvents += batch.processed;
    status.counts.eligible += batch.newlyEligible;
    status.counts.won += batch.won;
    queued += batch.queued;
    // An instant win opens a claim: the status's open claims are read again before relied on.
    if ((batch.queued > 0 || batch.won > 0) && plan.claims) run.claimsStale = true;
    if (
      plan.kind === 'instant_win' &&
      batch.stockRemaining === 0 &&
      !loop.stockAcknowledged &&
      !loop.endCollecting &&
      // Once collection has ended, a late entry that finds no stock simply loses.
      status.phase === 'collecting'
    ) {
      // Entries keep landing in the database; they are decided once a person chooses.
      await openInterventionOnce(run, 'stock_exhausted', 'stock', { wonSoFar: status.counts.won });
    }
    if (batch.remaining === 0 || batch.processed === 0) {
      return {
        queued,
        remaining: batch.remaining,
        held: false,
        ...(batch.xWindowResetAt ? { retryAt: batch.xWindowResetAt } : {}),
      };
    }
    if (options.forResults && batch.queued > 0 && patched(SENDS_AMID_ARRIVALS_PATCH)) {
      return { queued, remaining: batch.remaining, held: false, yielded: true };
    }
  }
}

/** How long to wait before deciding again events no batch could take yet. */
export function retryDelayMs(drained: Drained): number {
  return drained.retryAt
    ? Math.min(16 * 60_000, Math.max(1_000, Date.parse(drained.retryAt) - Date.now()))
    : SETTLE_RETRY_MS;
}

/**
 * Decides every event stored so far (late ones as late, with their reason), so nothing a
 * participant sent stays undecided when collection's results become final.
 */
export async function settleEntries(run: CampaignRun): Promise<{ queued: number }> {
  const plan = run.plan;
  if (!plan) return { queued: 0 };
  let queued = 0;
  for (;;) {
    // A halted sender's entries are decided once a person resumes it, not skipped.
    await condition(() => cancelled(run) || !senderHalted(run));
    // A change waiting for approval holds decisions: they are made on approved rules only.
    await awaitReapproval(run);
    if (cancelled(run)) return { queued };
    const drained = await drainEntries(run, plan);
    queued += drained.queued;
    if (drained.remaining === 0 || drained.held) return { queued };
    // Events are stored that no batch could take yet (another attempt still holds them, or
    // their facts wait for X's rate window): try again then, never go on without them.
    await condition(() => cancelled(run) || run.loop.reapprovalNeeded, retryDelayMs(drained));
  }
}
