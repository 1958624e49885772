/**
 * The claiming phase (claims on, docs/claims.md): winners claim their prizes on the campaign's
 * page before their deadlines. At each deadline the claims are settled (forfeits, alternates
 * promoted in draw order, their win messages queued); between deadlines the workflow sleeps on
 * a durable timer, woken early by a claim, a resend, a stop or a cancel.
 */
import { condition } from '@temporalio/workflow';
import { planning } from './activity-proxies';
import { cancelled, type CampaignRun } from './state';
import { enterPhase } from './stops';

/**
 * `done`: no claim is open any more. `send`: something waits for the delivery loop (messages
 * of promoted alternates, a resend, a stop, a change to approve): send it, then come back.
 * `cancelled`: the campaign was cancelled.
 */
export type ClaimsOutcome = 'done' | 'send' | 'cancelled';

/** Whether the delivery loop has work that the claiming phase must hand back to it. */
function deliveryWork(run: CampaignRun): boolean {
  return run.queueNudged || run.open.length > 0 || run.loop.reapprovalNeeded;
}

export async function settleClaimsUntilDone(run: CampaignRun): Promise<ClaimsOutcome> {
  for (;;) {
    if (cancelled(run)) return 'cancelled';
    run.claimsNudged = false;
    const settled = await planning.settleClaims({
      campaignId: run.input.campaignId,
      now: new Date().toISOString(),
    });
    run.status.claims = settled.claimsOn
      ? {
          open: settled.open,
          claimed: settled.claimed,
          forfeited: settled.forfeited,
          promoted: settled.promoted,
          nextDeadlineAt: settled.nextDeadlineAt,
        }
      : null;
    if (settled.promotedNow > 0) run.status.counts.won += settled.promotedNow;
    if (settled.queued > 0) {
      run.queueNudged = true;
      return 'send';
    }
    if (settled.open === 0 || settled.nextDeadlineAt === null) return 'done';
    if (deliveryWork(run)) return 'send';
    if (run.status.phase !== 'claiming') await enterPhase(run, 'claiming');
    // A durable timer to the next deadline; a claim (claimReceived) may end the wait early.
    await condition(
      () => cancelled(run) || run.claimsNudged || deliveryWork(run),
      Math.max(0, Date.parse(settled.nextDeadlineAt) - Date.now()),
    );
    if (cancelled(run)) return 'cancelled';
    if (deliveryWork(run)) return 'send';
  }
}
