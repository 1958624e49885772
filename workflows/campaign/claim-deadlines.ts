/**
 * Claim deadlines run whatever else the campaign waits for (docs/claims.md): a stop waiting for
 * a person, a change waiting for approval, a pause or the next day's DM cap. Every such wait
 * also wakes at the next claim deadline and settles the claims (forfeits, promotions); only the
 * sending of promotion messages waits for what blocks sending.
 */
import { condition } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { planning } from './activity-proxies';
import type { CampaignRun } from './state';

export type SettledClaims = Awaited<ReturnType<Activities['settleClaims']>>;

/** Settles the claims at workflow time and keeps the status and the queue's nudge in step. */
export async function settleClaimsNow(run: CampaignRun): Promise<SettledClaims> {
  const { status } = run;
  const settled = await planning.settleClaims({
    campaignId: run.input.campaignId,
    now: new Date().toISOString(),
  });
  run.lastSettleAtMs = Date.now();
  run.claimsStale = false;
  status.claims = settled.claimsOn
    ? {
        open: settled.open,
        claimed: settled.claimed,
        forfeited: settled.forfeited,
        promoted: settled.promoted,
        nextDeadlineAt: settled.nextDeadlineAt,
      }
    : null;
  // Read from the database, not added up: a retried settling that finds its first attempt's
  // promotions committed counts each once. Every drawn winner and promoted alternate won.
  if (status.draw) status.counts.won = status.draw.winners + settled.promoted;
  // Promotion messages wait in the queue: the delivery loop sends them when sending may.
  if (settled.queued > 0) run.queueNudged = true;
  return settled;
}

/**
 * Settles the claims when the status may be behind (a win message sent since, whose deadline
 * started then, or a claim opened by an entry decision), so that the next deadline and the
 * open claims it shows include them.
 */
export async function refreshClaimsIfStale(run: CampaignRun): Promise<void> {
  if (run.plan?.claims && run.claimsStale) await settleClaimsNow(run);
}

/** Claims on and some still open, as of the last settling. */
export function claimsOpen(run: CampaignRun): boolean {
  return Boolean(run.plan?.claims) && run.status.claims != null && run.status.claims.open > 0;
}

/** Milliseconds to the next claim deadline the status knows of; undefined when none. */
export function msToNextClaimDeadline(run: CampaignRun): number | undefined {
  const next = run.plan?.claims ? run.status.claims?.nextDeadlineAt : null;
  return next ? Math.max(0, Date.parse(next) - Date.now()) : undefined;
}

/**
 * `condition(until, timeoutMs)` that settles the claims at each claim deadline passed while it
 * waits. True when `until` held; false when `timeoutMs` ran out first.
 */
export async function waitKeepingDeadlines(
  run: CampaignRun,
  until: () => boolean,
  timeoutMs?: number,
): Promise<boolean> {
  const endsAtMs = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  // Deadlines started since the last settling are known before the first timer.
  if (!until()) await refreshClaimsIfStale(run);
  for (;;) {
    const toDeadline = msToNextClaimDeadline(run);
    const toEnd = endsAtMs === undefined ? undefined : Math.max(0, endsAtMs - Date.now());
    if (toDeadline === undefined || (toEnd !== undefined && toEnd <= toDeadline)) {
      if (toEnd === undefined) {
        await condition(until);
        return true;
      }
      return condition(until, toEnd);
    }
    if (await condition(until, toDeadline)) return true;
    await settleClaimsNow(run);
  }
}
