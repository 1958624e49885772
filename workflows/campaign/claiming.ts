/**
 * The claiming phase (claims on, docs/claims.md): winners claim their prizes on the campaign's
 * page before their deadlines. At each deadline the claims are settled (forfeits, alternates
 * promoted in draw order, their win messages queued); between deadlines the workflow sleeps on
 * a durable timer, woken early by a claim, a resend, a change or a cancel. An open stop does not
 * hold the claims back: it blocks sending, not deadlines (claim-deadlines.ts).
 */
import { condition } from '@temporalio/workflow';
import { msToNextClaimDeadline, settleClaimsNow } from './claim-deadlines';
import { continueAsNewIfSuggested } from './delivering';
import { cancelled, type CampaignRun } from './state';
import { enterPhase } from './stops';

/**
 * `done`: no claim is open any more. `send`: something waits for the delivery loop (messages
 * of promoted alternates, a resend, a change to approve): send it, then come back.
 * `cancelled`: the campaign was cancelled.
 */
export type ClaimsOutcome = 'done' | 'send' | 'cancelled';

/**
 * Claims arriving together settle once: a claim nudges a settling at once, but not sooner than
 * this long (workflow time) after the previous one, so a burst of claims costs one settling.
 */
export const CLAIM_SETTLE_GAP_MS = 10_000;

/** Whether the delivery loop has work that the claiming phase must hand back to it. */
function deliveryWork(run: CampaignRun): boolean {
  return run.queueNudged || run.loop.reapprovalNeeded;
}

export async function settleClaimsUntilDone(run: CampaignRun): Promise<ClaimsOutcome> {
  for (;;) {
    if (cancelled(run)) return 'cancelled';
    run.claimsNudged = false;
    const settled = await settleClaimsNow(run);
    if (!settled.claimsOn || settled.open === 0) return 'done';
    if (deliveryWork(run)) return 'send';
    if (run.status.phase !== 'claiming') await enterPhase(run, 'claiming');
    // Each settling adds events: a long claiming phase starts a fresh run with its state, which
    // goes on in claiming (workflow.ts).
    await continueAsNewIfSuggested(run);
    // A durable timer to the next deadline (none while every open claim's win message is still
    // queued: its deadline starts when it is sent); a claim (claimReceived) may end it early.
    const until = () => cancelled(run) || run.claimsNudged || deliveryWork(run);
    const toDeadline = msToNextClaimDeadline(run);
    let deadlineDue = false;
    if (toDeadline === undefined) await condition(until);
    else deadlineDue = !(await condition(until, toDeadline));
    if (cancelled(run)) return 'cancelled';
    if (deliveryWork(run)) return 'send';
    const sinceSettle = Date.now() - run.lastSettleAtMs;
    if (!deadlineDue && sinceSettle < CLAIM_SETTLE_GAP_MS) {
      // Nudged soon after the last settling: more claims may be on their way.
      await condition(() => cancelled(run) || deliveryWork(run), CLAIM_SETTLE_GAP_MS - sinceSettle);
    }
  }
}
