/**
 * Four eyes: who may approve a launch or a changed configuration, and the way back to
 * awaiting approval when the configuration changes after approval.
 */
import { checking, planning, records } from './activity-proxies';
import { waitKeepingDeadlines } from './claim-deadlines';
import { cancelled, type CampaignRun } from './state';
import { audit, enterPhase, openInterventionOnce, resolveOpen } from './stops';

export interface Refusal {
  code: string;
  message: string;
}

/** Why `by` may not approve now, or null. Shared by the approve signal and update. */
export function approvalRefusal(
  run: CampaignRun,
  by: string,
  /**
   * Checked again after the approver's key was looked up: the approval round it arrived in.
   * A change recorded before it arrived may take the workflow through `scheduled` on its way
   * back to awaiting approval, and the approval still counts for that round; an approval
   * recorded meanwhile, or a newer round (a change it never saw), ends its chance.
   */
  arrivedInRound?: number,
): Refusal | null {
  const { status, loop } = run;
  const stillWanted =
    arrivedInRound !== undefined &&
    arrivedInRound === status.approvalRound &&
    loop.reapprovalNeeded;
  if (arrivedInRound !== undefined && arrivedInRound !== status.approvalRound) {
    return {
      code: 'approval_round_changed',
      message: `The configuration changed while this approval was checked (now round ${status.approvalRound}); review the new findings and approve again`,
    };
  }
  if ((status.phase !== 'awaiting_approval' && !stillWanted) || status.approvedBy) {
    return {
      code: 'invalid_in_phase',
      message: `Campaign is in phase '${status.phase}'${status.approvedBy ? ` and approved by ${status.approvedBy}` : ''}; approval is only possible in 'awaiting_approval'`,
    };
  }
  if (by === run.input.author) {
    return {
      code: 'author_cannot_approve',
      message: `${by} wrote this campaign; an approver other than the author must approve it`,
    };
  }
  if (loop.changers.includes(by)) {
    return {
      code: 'author_cannot_approve',
      message: `${by} changed this campaign's configuration; an approver other than the authors of the change must approve it`,
    };
  }
  if (run.changesInProgress > 0) {
    return {
      code: 'preflight_running',
      message: 'Preflight is checking the changed configuration; approve once it has finished',
    };
  }
  if (status.preflight && !status.preflight.ok) {
    // Blocking findings (e.g. prizes over the 景品表示法 caps) must be fixed before launch.
    return {
      code: 'preflight_blocking',
      message: `Preflight has ${status.preflight.blocking} blocking finding(s); fix the configuration before approval`,
    };
  }
  return null;
}

/**
 * Why `by` is no approver at all, or null: approvals that reach the workflow without the API
 * (a signal typed in the Web UI or CLI) carry whatever name was typed, so the key is looked up.
 */
export async function approverRefusal(by: string): Promise<Refusal | null> {
  if (await records.isActiveApprover({ by })) return null;
  return {
    code: 'not_an_approver',
    message: `'${by}' is not the id of an active approver's API key; an approval names the approver's key id`,
  };
}

/** An approval that arrived in `round`: the approver's key is looked up, then the rules again. */
export async function refusalOfApproval(
  run: CampaignRun,
  by: string,
  round: number,
): Promise<Refusal | null> {
  return (await approverRefusal(by)) ?? approvalRefusal(run, by, round);
}

/**
 * A stored configuration change (or stock added after approval, which is one): sending holds at
 * once, since what is stored must not go out before it is approved (a send already in flight
 * finishes, as with a pause). Approval waits until the change's preflight and its approval
 * intervention are recorded, and none of those who changed it since the last approval approves.
 */
export async function recordConfigChange(
  run: CampaignRun,
  by: string,
  configVersion: number,
  reason: string,
) {
  const { status, loop } = run;
  const approvalRequired = status.approvedBy !== null;
  run.changesInProgress += 1;
  try {
    if (approvalRequired) {
      status.approvedBy = null;
      status.approvalRound = (status.approvalRound ?? 1) + 1;
      loop.reapprovalNeeded = true;
    }
    if (!loop.changers.includes(by)) loop.changers = [...loop.changers, by];
    const preflightRun = (run.preflightRuns += 1);
    const findings = await checking.runPreflight({ campaignId: run.input.campaignId });
    // Concurrent changes: the findings of the newest configuration win.
    if (preflightRun === run.preflightRuns) status.preflight = findings;
    if (loop.reapprovalNeeded) {
      await openInterventionOnce(
        run,
        'approval',
        `round:${status.approvalRound}`,
        { configVersion, reason },
        by,
      );
    }
  } finally {
    run.changesInProgress -= 1;
  }
  await audit(run, by, 'campaign.config_changed', 'ok', { configVersion, approvalRequired });
  return { approvalRequired, preflight: status.preflight };
}

/** Resolves the open approval stops with the approval that stands, pinning what was checked. */
export async function resolveApproval(run: CampaignRun): Promise<void> {
  const { status } = run;
  for (const approval of run.open.filter((i) => i.kind === 'approval')) {
    // The approver signed off what the newest preflight checked: that version is pinned.
    await resolveOpen(run, approval, 'approved', {
      by: status.approvedBy ?? 'unknown',
      configVersion: status.preflight?.configVersion,
    });
  }
  // Those who changed the configuration are barred until an approval stands: one taken back
  // by a change meanwhile keeps them all barred from its next round.
  if (status.approvedBy !== null) run.loop.changers = [];
}

/** A configuration changed after approval: back to awaiting_approval, then on where it was. */
export async function awaitReapproval(run: CampaignRun): Promise<void> {
  if (!run.loop.reapprovalNeeded) return;
  const returnTo = run.status.phase;
  await enterPhase(run, 'awaiting_approval');
  do {
    // Claim deadlines keep running while the change waits for a person.
    await waitKeepingDeadlines(run, () => run.status.approvedBy !== null || cancelled(run));
    if (cancelled(run)) return;
    await resolveApproval(run);
    run.plan = await planning.prepareCampaign({ campaignId: run.input.campaignId });
    // A change accepted meanwhile took the approval back: wait for its own round.
  } while (run.status.approvedBy === null);
  run.loop.reapprovalNeeded = false;
  await enterPhase(run, returnTo);
}
