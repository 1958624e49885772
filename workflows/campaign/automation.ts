/**
 * The watch over the webhook a campaign's entries arrive through: a gap opens a `disarmed` stop
 * whose start is the last check that found it armed; a re-arm replays from there, and
 * collection may not end while entries may be missing.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { arming } from './activity-proxies';
import { refuse, type CampaignPlan, type CampaignRun } from './state';
import { ARMED_CHECK_INTERVAL_MS, openInterventionOnce } from './stops';

type RearmOutcome = Awaited<ReturnType<Activities['rearmAutomation']>>;

export interface ArmedFinding {
  armed: boolean;
  checkedAt: string;
  problem: { code: string } | null;
  /** X clock: the last check that found it armed, if the finder knows one. */
  lastArmedAt?: string | null;
}

/** The later of two instants (ISO strings), or whichever is known. */
function later(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * Records a check of the webhook, wherever it was made (the check at the start of collection,
 * or the entry watch's checks while collecting), and opens the `disarmed` stop for a gap.
 */
export async function recordArmedFinding(
  run: CampaignRun,
  plan: CampaignPlan,
  finding: ArmedFinding,
): Promise<void> {
  const automation = run.loop.watch;
  run.status.automation = {
    armed: finding.armed,
    checkedAt: finding.checkedAt,
    problem: finding.problem?.code ?? null,
  };
  automation.armedAt = later(automation.armedAt, finding.lastArmedAt);
  if (finding.armed) {
    automation.armedAt = later(automation.armedAt, finding.checkedAt);
    return;
  }
  if (run.open.some((i) => i.kind === 'disarmed')) return;
  // Never seen armed in this campaign: the gap reaches back to the start of collection.
  const since = automation.armedAt ?? plan.startAt;
  automation.disarmedSince = since;
  await openInterventionOnce(run, 'disarmed', `since:${since}`, {
    disarmedSince: since,
    problem: finding.problem,
  });
}

/** One check of the webhook now. A failing check is no finding (X may be down). */
export async function checkAutomation(run: CampaignRun, plan: CampaignPlan): Promise<void> {
  run.loop.watch.nextCheckAtMs = Date.now() + ARMED_CHECK_INTERVAL_MS;
  let check;
  try {
    check = await arming.checkAutomationArmed({ campaignId: run.input.campaignId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    return;
  }
  await recordArmedFinding(run, plan, check);
}

/** Whether the watch should check the webhook: not once dismissed, nor while a gap is open. */
export const watchesWebhook = (run: CampaignRun): boolean =>
  !run.loop.watch.dismissed && !run.open.some((i) => i.kind === 'disarmed');

/** Re-arms the webhook and replays the gap; a failure refuses the resolution with X's reason. */
export async function rearm(run: CampaignRun, by: string): Promise<RearmOutcome> {
  const automation = run.loop.watch;
  const since = automation.disarmedSince ?? automation.armedAt;
  try {
    return await arming.rearmAutomation({
      campaignId: run.input.campaignId,
      disarmedSince: since ?? new Date(0).toISOString(),
      by,
    });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
    refuse(
      cause?.type ?? 'rearm_failed',
      `Re-arming failed: ${cause?.message ?? error.message}`,
      run.status.phase,
    );
  }
}

/**
 * Collection may not end while entries may be missing: an open `disarmed` stop waits for a
 * person, and a re-arm waits for X's replay. The end gets one last check first.
 */
export async function holdCollecting(run: CampaignRun, plan: CampaignPlan): Promise<boolean> {
  const automation = run.loop.watch;
  if (automation.dismissed) return false;
  if (!automation.finalCheckDone) {
    automation.finalCheckDone = true;
    await checkAutomation(run, plan);
  }
  return run.open.some((i) => i.kind === 'disarmed') || Date.now() < automation.replayGraceUntilMs;
}
