import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities, RearmOutcome } from '../activities/campaign-activities';
import type { InterventionActivities } from '../activities/intervention-activities';
import type {
  CampaignPlan,
  CampaignRuntimeActivities,
  EntryCursors,
} from '../activities/campaign-runtime';
import {
  errorRateExceeded,
  haltKind,
  interventionCatalog,
  type InterventionKind,
  type InterventionResolution,
  type InterventionSummary,
  resolutionRefusal,
} from '../domain/interventions';
import {
  type CampaignPhase,
  campaignPhases,
  changeablePhases,
  sendingPhases,
} from '../domain/phases';
import {
  type ActorInput,
  approveSignal,
  approveUpdate,
  cancelSignal,
  type CampaignStatus,
  configChangedUpdate,
  entriesArrivedSignal,
  interventionOpenedSignal,
  type MisdeliveryReport,
  pauseSignal,
  reportMisdeliveryUpdate,
  type ResendInput,
  resendUpdate,
  resolveInterventionUpdate,
  type ResolveInterventionUpdateInput,
  resumeSignal,
  statusQuery,
} from './messages';
import { CampaignPhaseKey, NeedsAttentionKey } from './search-attributes';
import type {
  AutomationWatch,
  CampaignWorkflowInput,
  CampaignWorkflowResult,
  ResumeState,
} from './types';

const db = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const runtime = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Deciding entries and drawing read participants' profiles and follows from X, storing each
 * answer as it comes and heartbeating: a worker that dies mid-batch is replaced within minutes,
 * and a retry goes on from what was stored.
 */
const deciding = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** X reads page through long lists and heartbeat their cursor; rate limits are waited out. */
const polling = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '15 minutes',
    maximumAttempts: 8,
  },
});

/**
 * One send: transient X errors are retried with backoff (429s at X's reset, via the failure's
 * nextRetryDelay); permanent ones come back as an outcome and are never retried.
 */
const sender = proxyActivities<CampaignRuntimeActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    maximumAttempts: 10,
  },
});

/**
 * Preflight asks X who the sender is, checks the webhook and rehearses DMs to test accounts,
 * some calls waiting out a rate-limit window: it heartbeats after each step.
 */
const preflight = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The automation watch: one X call to check the webhook and subscription, and re-arming
 * (CRC check, subscribe, replay job). A few attempts: a person is waiting on a re-arm.
 */
const watch = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

/** Interventions and the audit trail: small database writes. */
const people = proxyActivities<InterventionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Refuses an update before anything is recorded; the API answers with the code and message. */
function refuse(code: string, message: string, phase: CampaignPhase): never {
  throw ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: true,
    details: [{ phase }],
  });
}

/** How often entries are reconciled by polling while collecting (webhooks nudge sooner). */
const POLL_INTERVAL_MS = 60_000;
const ENTRY_BATCH = 500;
/** How often the webhook is checked while collecting: each check is one activity in history. */
const ARMED_CHECK_INTERVAL_MS = 10 * 60_000;
/** After a re-arm, collection stays open this long so X's replayed events are taken in. */
const REPLAY_GRACE_MS = 5 * 60_000;
const DELIVERY_BATCH = 50;
/** How long settling waits before asking again for events no batch could take. */
const SETTLE_RETRY_MS = 30_000;

export async function campaignWorkflow(
  input: CampaignWorkflowInput,
): Promise<CampaignWorkflowResult> {
  const resume: ResumeState | undefined = input.resume;
  const status: CampaignStatus = resume?.status ?? {
    campaignId: input.campaignId,
    phase: 'preflight',
    paused: false,
    needsAttention: false,
    preflight: null,
    approvedBy: null,
    refusedApprovals: [],
    cancelledBy: null,
    counts: { entryEvents: 0, eligible: 0, won: 0, sent: 0, failed: 0 },
    queueLength: 0,
    nextWindowAt: null,
    halt: null,
    draw: null,
    report: null,
    interventions: [],
    approvalRound: 1,
  };
  status.interventions ??= [];
  status.approvalRound ??= 1;
  const open: InterventionSummary[] = status.interventions;
  // Interventions, updates and the audit trail came with this patch; histories recorded before
  // it replay the earlier behaviour.
  const peopleInTheLoop = patched('people-in-the-loop');
  // The webhook watch while collecting (disarmed → intervention → re-arm and replay).
  const watchAutomation = peopleInTheLoop && patched('automation-watch');
  // A configuration change holds sending before its preflight and is approved by someone else
  // than who changed it; a queue nudge wakes collection only when it can send; a cancel closes
  // what is left open.
  const guardedChanges = watchAutomation && patched('guarded-changes');
  // A change accepted while an approval is being recorded gets its own approval round instead of
  // being cleared with the approval it followed.
  const changeMidApproval = guardedChanges && patched('change-mid-approval');
  // No entry is left undecided: a nudge during sending wakes the next pass, sending pauses for
  // new entries, and every stored event is decided before the draw, the last send and the report.
  const noEntryLost = changeMidApproval && patched('no-entry-lost');
  // An approval names a live approver's API key id, whichever way it arrives (API, Web UI, CLI).
  const approverCheck = noEntryLost && patched('approver-check');
  const loop: NonNullable<ResumeState['loop']> = resume?.loop ?? {
    reapprovalNeeded: false,
    recentFailures: [],
    stockAcknowledged: false,
    endCollecting: false,
  };
  const automation: AutomationWatch = (loop.watch ??= {
    armedAt: null,
    nextCheckAtMs: 0,
    disarmedSince: null,
    finalCheckDone: false,
    replayGraceUntilMs: 0,
    dismissed: false,
  });
  let queueNudged = false;
  /** Configuration changes still being checked: approval waits for their findings. */
  let changesInProgress = 0;
  /** Preflight runs started by changes: only the newest one's findings are kept. */
  let preflightRuns = 0;
  let plan: CampaignPlan | null = resume?.plan ?? null;
  let cursors: EntryCursors = resume?.cursors ?? {};
  let entriesArrived = false;
  let sendsThisRun = 0;

  setHandler(statusQuery, () => status);

  /** Why `by` may not approve now, or null. Shared by the approve signal and update. */
  function approvalRefusal(
    by: string,
    /**
     * Checked again after the approver's key was looked up: the approval round it arrived in.
     * A change recorded before it arrived may take the workflow through `scheduled` on its way
     * back to awaiting approval, and the approval still counts for that round; an approval
     * recorded meanwhile, or a newer round (a change it never saw), ends its chance.
     */
    arrivedInRound?: number,
  ): { code: string; message: string } | null {
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
    if (by === input.author) {
      return {
        code: 'author_cannot_approve',
        message: `${by} wrote this campaign; an approver other than the author must approve it`,
      };
    }
    if (guardedChanges && loop.changers?.includes(by)) {
      return {
        code: 'author_cannot_approve',
        message: `${by} changed this campaign's configuration; an approver other than the authors of the change must approve it`,
      };
    }
    if (guardedChanges && changesInProgress > 0) {
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
  async function approverRefusal(by: string): Promise<{ code: string; message: string } | null> {
    if (!approverCheck || (await people.isActiveApprover({ by }))) return null;
    return {
      code: 'not_an_approver',
      message: `'${by}' is not the id of an active approver's API key; an approval names the approver's key id`,
    };
  }

  async function audit(
    actor: string,
    action: string,
    outcome: 'ok' | 'refused',
    details?: Record<string, unknown>,
  ): Promise<void> {
    if (!peopleInTheLoop) return;
    await people.recordAudit({
      actor,
      action,
      campaignId: input.campaignId,
      outcome,
      details: { via: 'workflow', phase: status.phase, ...details },
    });
  }

  setHandler(approveSignal, async ({ by }) => {
    const round = status.approvalRound;
    let refusal = approvalRefusal(by);
    // Checked again after the look-up: another approval may have been recorded meanwhile.
    if (!refusal && approverCheck) {
      refusal = (await approverRefusal(by)) ?? approvalRefusal(by, round);
    }
    if (refusal?.code === 'invalid_in_phase' && !peopleInTheLoop) return;
    if (refusal) {
      if (refusal.code !== 'invalid_in_phase') {
        status.refusedApprovals.push({ by, reason: refusal.code });
      }
      await audit(by, 'campaign.approve', 'refused', { code: refusal.code });
      return;
    }
    status.approvedBy = by;
    await audit(by, 'campaign.approve', 'ok');
  });
  setHandler(
    approveUpdate,
    async ({ by }) => {
      // The validator has just passed: this is the round the approval arrived in.
      const round = status.approvalRound;
      const refusal = approverCheck
        ? ((await approverRefusal(by)) ?? approvalRefusal(by, round))
        : null;
      if (refusal) {
        await audit(by, 'campaign.approve', 'refused', { code: refusal.code });
        refuse(refusal.code, refusal.message, status.phase);
      }
      status.approvedBy = by;
      await audit(by, 'campaign.approve', 'ok');
      return { approvedBy: by };
    },
    {
      validator: ({ by }: ActorInput) => {
        const refusal = approvalRefusal(by);
        if (refusal) refuse(refusal.code, refusal.message, status.phase);
      },
    },
  );
  setHandler(pauseSignal, async ({ by, reason }) => {
    status.paused = true;
    await audit(by, 'campaign.pause', 'ok', reason ? { reason } : undefined);
  });
  setHandler(resumeSignal, async ({ by, reason }) => {
    status.paused = false;
    // Resume also answers every stop that a resume resolves (send errors, restrictions).
    if (peopleInTheLoop) {
      for (const intervention of [...open]) {
        if (intervention.blocks !== 'sending') continue;
        if (resolutionRefusal(intervention.kind, 'resume')) continue;
        await resolveOpen(intervention, 'resume', { by, ...(reason ? { note: reason } : {}) });
      }
    }
    await audit(by, 'campaign.resume', 'ok', reason ? { reason } : undefined);
  });
  setHandler(cancelSignal, async ({ by, reason }) => {
    status.cancelledBy ??= by;
    await audit(by, 'campaign.cancel', 'ok', reason ? { reason } : undefined);
  });
  setHandler(entriesArrivedSignal, () => {
    entriesArrived = true;
  });
  setHandler(interventionOpenedSignal, ({ interventionId, kind, openedBy }) => {
    if (!interventionCatalog[kind] || open.some((i) => i.id === interventionId)) return;
    open.push({
      id: interventionId,
      kind,
      blocks: interventionCatalog[kind].blocks,
      openedBy,
      openedAt: new Date().toISOString(),
    });
    refreshAttention();
  });

  setHandler(
    resendUpdate,
    async ({ by, deliveryIds }) => {
      const result = await people.requeueDeliveries({
        campaignId: input.campaignId,
        deliveryIds,
        by,
      });
      if (result.queued > 0) queueNudged = true;
      return result;
    },
    {
      validator: ({ deliveryIds }: ResendInput) => {
        if (!sendingPhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; resends are possible while collecting, drawing or delivering`,
            status.phase,
          );
        }
        if (deliveryIds.length === 0 || deliveryIds.length > 500) {
          refuse('invalid_selection', 'Name between 1 and 500 deliveries to resend', status.phase);
        }
      },
    },
  );

  setHandler(
    reportMisdeliveryUpdate,
    async ({ by, reason, selector, followUpText }) => {
      const summary = await openInterventionOnce(
        'misdelivery',
        `report:${open.filter((i) => i.kind === 'misdelivery').length}:${by}`,
        { reason: reason ?? null, selector, followUp: { text: followUpText }, reportedBy: by },
        by,
      );
      return summary;
    },
    {
      validator: ({ followUpText }: MisdeliveryReport) => {
        if (!sendingPhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; a misdelivery can be reported while collecting, drawing or delivering`,
            status.phase,
          );
        }
        if (followUpText.trim() === '') {
          refuse('follow_up_missing', 'The follow-up DM text is empty', status.phase);
        }
      },
    },
  );

  setHandler(
    resolveInterventionUpdate,
    async ({ by, interventionId, resolution, note, stock }) => {
      if (approverCheck && resolution === 'send_follow_up') {
        // The follow-up DM goes out under the brand's name: an approver, not only someone else.
        const refusal = await approverRefusal(by);
        if (refusal) {
          await audit(by, 'intervention.resolve', 'refused', {
            code: refusal.code,
            interventionId,
            resolution,
          });
          refuse(refusal.code, refusal.message, status.phase);
        }
      }
      const intervention = open.find((i) => i.id === interventionId);
      if (!intervention) {
        // Resolved by another handler while this one waited: nothing more to do.
        return { interventionId, kind: 'approval' as InterventionKind, resolution, queued: 0 };
      }
      return resolveOpen(intervention, resolution, {
        by,
        ...(note ? { note } : {}),
        ...(stock ? { stock } : {}),
      });
    },
    {
      validator: ({ by, interventionId, resolution, stock }: ResolveInterventionUpdateInput) => {
        const intervention = open.find((i) => i.id === interventionId);
        if (!intervention) {
          refuse(
            'intervention_not_open',
            `Campaign has no open intervention '${interventionId}' (phase '${status.phase}')`,
            status.phase,
          );
        }
        const refusal = resolutionRefusal(intervention.kind, resolution);
        if (refusal) refuse('resolution_not_allowed', refusal.en, status.phase);
        if (intervention.kind === 'approval' && resolution === 'approved') {
          refuse(
            'use_approve',
            'Approve the launch with approve, not as a resolution',
            status.phase,
          );
        }
        if (resolution === 'send_follow_up' && by === intervention.openedBy) {
          refuse(
            'reporter_cannot_approve',
            `${by} reported this misdelivery; an approver other than the reporter approves the follow-up`,
            status.phase,
          );
        }
        if (resolution === 'add_stock' && !stock?.some((unit) => unit.amount > 0)) {
          refuse(
            'stock_missing',
            'add_stock needs at least one prize with a positive amount',
            status.phase,
          );
        }
      },
    },
  );

  setHandler(
    configChangedUpdate,
    async ({ by, configVersion }: ActorInput & { configVersion: number }) => {
      const approvalRequired = status.approvedBy !== null;
      if (!guardedChanges) {
        // Histories recorded before guarded changes: preflight first, then the new round.
        status.preflight = await preflight.runPreflight({ campaignId: input.campaignId });
        if (approvalRequired) {
          status.approvedBy = null;
          status.approvalRound = (status.approvalRound ?? 1) + 1;
          loop.reapprovalNeeded = true;
          await openInterventionOnce(
            'approval',
            `round:${status.approvalRound}`,
            { configVersion, reason: 'configuration changed after approval' },
            by,
          );
        }
        await audit(by, 'campaign.config_changed', 'ok', { configVersion, approvalRequired });
        return { approvalRequired, preflight: status.preflight };
      }
      return recordConfigChange(by, configVersion, 'configuration changed after approval');
    },
    {
      validator: (_change: ActorInput & { configVersion: number }) => {
        if (!changeablePhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; the configuration can change until delivery ends`,
            status.phase,
          );
        }
      },
    },
  );

  /**
   * A stored configuration change (or stock added after approval, which is one): sending holds at
   * once, since what is stored must not go out before it is approved (a send already in flight
   * finishes, as with a pause). Approval waits until the change's preflight and its approval
   * intervention are recorded, and none of those who changed it since the last approval approves.
   */
  async function recordConfigChange(by: string, configVersion: number, reason: string) {
    const approvalRequired = status.approvedBy !== null;
    changesInProgress += 1;
    try {
      if (approvalRequired) {
        status.approvedBy = null;
        status.approvalRound = (status.approvalRound ?? 1) + 1;
        loop.reapprovalNeeded = true;
      }
      const changers = loop.changers ?? [];
      if (!changers.includes(by)) loop.changers = [...changers, by];
      const run = (preflightRuns += 1);
      const findings = await preflight.runPreflight({ campaignId: input.campaignId });
      // Concurrent changes: the findings of the newest configuration win.
      if (run === preflightRuns) status.preflight = findings;
      if (loop.reapprovalNeeded) {
        await openInterventionOnce(
          'approval',
          `round:${status.approvalRound}`,
          { configVersion, reason },
          by,
        );
      }
    } finally {
      changesInProgress -= 1;
    }
    await audit(by, 'campaign.config_changed', 'ok', { configVersion, approvalRequired });
    return { approvalRequired, preflight: status.preflight };
  }

  const cancelled = () => status.cancelledBy !== null;

  function publishAttention(): void {
    upsertSearchAttributes([
      { key: CampaignPhaseKey, value: status.phase },
      { key: NeedsAttentionKey, value: status.needsAttention },
    ]);
  }

  /** NeedsAttention follows the open interventions (and a legacy halt, in old histories). */
  function refreshAttention(): void {
    const needed = open.length > 0 || status.halt !== null;
    if (needed === status.needsAttention) return;
    status.needsAttention = needed;
    publishAttention();
  }

  async function openInterventionOnce(
    kind: InterventionKind,
    dedupeKey: string,
    details: Record<string, unknown>,
    openedBy = 'kuji',
  ): Promise<InterventionSummary> {
    const summary = await people.openIntervention({
      campaignId: input.campaignId,
      accountId: input.accountId,
      kind,
      dedupeKey,
      details,
      openedBy,
    });
    if (!open.some((i) => i.id === summary.id)) open.push(summary);
    refreshAttention();
    return summary;
  }

  async function resolveOpen(
    intervention: InterventionSummary,
    resolution: InterventionResolution,
    how: {
      by: string;
      note?: string;
      stock?: { prizeId: string; amount: number }[];
      configVersion?: number;
    },
  ) {
    let rearmed: RearmOutcome | undefined;
    if (intervention.kind === 'disarmed' && resolution === 'rearm') {
      rearmed = await rearm(how.by);
    }
    // Stock added after approval is a configuration change: preflight and approval again.
    const stockViaConfig = approverCheck && resolution === 'add_stock';
    const result = await people.resolveInterventionRecord({
      campaignId: input.campaignId,
      interventionId: intervention.id,
      resolution,
      ...how,
      ...(stockViaConfig ? { stockViaConfig } : {}),
    });
    const index = open.findIndex((i) => i.id === intervention.id);
    if (index >= 0) open.splice(index, 1);
    if (resolution === 'cancel') status.cancelledBy ??= how.by;
    if (resolution === 'end_collecting') loop.endCollecting = true;
    if (resolution === 'continue') loop.stockAcknowledged = true;
    if (resolution === 'resume' && intervention.kind === 'error_rate') loop.recentFailures = [];
    if (intervention.kind === 'disarmed') {
      automation.disarmedSince = null;
      if (resolution === 'dismiss') automation.dismissed = true;
      if (rearmed) {
        // A later gap starts where this replay ended, not before the first one.
        if (guardedChanges && rearmed.replayTo) automation.armedAt = rearmed.replayTo;
        // Collection stays open while X re-delivers the gap, then the watch goes on.
        automation.replayGraceUntilMs = Date.now() + REPLAY_GRACE_MS;
        automation.nextCheckAtMs = Date.now() + ARMED_CHECK_INTERVAL_MS;
      }
    }
    if (result.queued > 0) queueNudged = true;
    refreshAttention();
    if (stockViaConfig && result.configVersion !== undefined) {
      await recordConfigChange(how.by, result.configVersion, 'stock added after approval');
    }
    return {
      interventionId: result.interventionId,
      kind: result.kind,
      resolution: result.resolution,
      queued: result.queued,
    };
  }

  /**
   * Checks that X still delivers the account's events to Kuji. A gap opens a `disarmed`
   * intervention whose start is the last check that found it armed: a re-arm replays from there.
   * A failing check is no finding (X may be down); the next interval checks again.
   */
  async function checkAutomation(activePlan: CampaignPlan): Promise<void> {
    automation.nextCheckAtMs = Date.now() + ARMED_CHECK_INTERVAL_MS;
    let check;
    try {
      check = await watch.checkAutomationArmed({ campaignId: input.campaignId });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return;
    }
    status.automation = {
      armed: check.armed,
      checkedAt: check.checkedAt,
      problem: check.problem?.code ?? null,
    };
    if (check.armed) {
      automation.armedAt = check.checkedAt;
      return;
    }
    if (open.some((i) => i.kind === 'disarmed')) return;
    // Never seen armed in this campaign: the gap reaches back to the start of collection.
    const since = automation.armedAt ?? activePlan.startAt;
    automation.disarmedSince = since;
    await openInterventionOnce('disarmed', `since:${since}`, {
      disarmedSince: since,
      problem: check.problem,
    });
  }

  /** Re-arms the webhook and replays the gap; a failure refuses the resolution with X's reason. */
  async function rearm(by: string): Promise<RearmOutcome> {
    const since = automation.disarmedSince ?? automation.armedAt;
    try {
      const outcome = await watch.rearmAutomation({
        campaignId: input.campaignId,
        disarmedSince: since ?? new Date(0).toISOString(),
        by,
      });
      return outcome;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
      refuse(
        cause?.type ?? 'rearm_failed',
        `Re-arming failed: ${cause?.message ?? error.message}`,
        status.phase,
      );
    }
  }

  /**
   * Collection may not end while entries may be missing: an open `disarmed` intervention waits
   * for a person, and a re-arm waits for X's replay. The end gets one last check first.
   */
  async function holdCollecting(activePlan: CampaignPlan): Promise<boolean> {
    if (!watchAutomation || automation.dismissed) return false;
    if (!automation.finalCheckDone) {
      automation.finalCheckDone = true;
      await checkAutomation(activePlan);
    }
    return open.some((i) => i.kind === 'disarmed') || Date.now() < automation.replayGraceUntilMs;
  }

  /** A stop for the sender account itself (restricted, authorisation lost) is open. */
  const senderHalted = () => open.some((i) => i.kind === 'sender_halted');

  const blocked = (what: 'sending' | 'entries') =>
    loop.reapprovalNeeded || open.some((i) => i.blocks === what || i.blocks === 'launch');

  /** A configuration changed after approval: back to awaiting_approval, then on where it was. */
  async function awaitReapproval(): Promise<void> {
    if (!loop.reapprovalNeeded) return;
    const returnTo = status.phase;
    await enterPhase('awaiting_approval');
    do {
      await condition(() => status.approvedBy !== null || cancelled());
      if (cancelled()) return;
      await resolveApproval();
      plan = await runtime.prepareCampaign({ campaignId: input.campaignId });
      // A change accepted meanwhile took the approval back: wait for its own round.
    } while (changeMidApproval && status.approvedBy === null);
    loop.reapprovalNeeded = false;
    await enterPhase(returnTo);
  }

  async function resolveApproval(): Promise<void> {
    for (const approval of open.filter((i) => i.kind === 'approval')) {
      // The approver signed off what the newest preflight checked: that version is pinned.
      await resolveOpen(approval, 'approved', {
        by: status.approvedBy ?? 'unknown',
        configVersion: status.preflight?.configVersion,
      });
    }
    // Those who changed the configuration are barred until an approval stands: one taken back
    // by a change meanwhile keeps them all barred from its next round.
    if (guardedChanges && !(changeMidApproval && status.approvedBy === null)) loop.changers = [];
  }

  async function enterPhase(phase: CampaignPhase): Promise<void> {
    status.phase = phase;
    publishAttention();
    await db.recordPhase({
      campaignId: input.campaignId,
      phase,
      workflowRunId: workflowInfo().runId,
    });
  }

  /** Long campaigns start a fresh run with their state once Temporal suggests it. */
  async function continueAsNewIfSuggested(): Promise<void> {
    const testingLimit = input.options?.continueAsNewAfterSends;
    const forced = testingLimit !== undefined && sendsThisRun >= testingLimit;
    if (!workflowInfo().continueAsNewSuggested && !forced) return;
    await condition(allHandlersFinished);
    const { options: _options, ...rest } = input;
    await continueAsNew<typeof campaignWorkflow>({
      ...rest,
      ...(forced ? {} : { options: input.options }),
      resume: { status, plan, cursors, loop },
    });
  }

  /**
   * Blocks while paused, while an intervention holds sending back, or while a changed
   * configuration waits for approval; false when the campaign was cancelled meanwhile.
   */
  async function untilRunning(): Promise<boolean> {
    if (!peopleInTheLoop) {
      await condition(() => !status.paused || cancelled());
      return !cancelled();
    }
    for (;;) {
      await awaitReapproval();
      await condition(
        () => (!status.paused && !blocked('sending')) || loop.reapprovalNeeded || cancelled(),
      );
      if (cancelled()) return false;
      if (!loop.reapprovalNeeded) return true;
    }
  }

  async function haltForAttention(halt: NonNullable<CampaignStatus['halt']>): Promise<void> {
    status.halt = halt;
    status.paused = true;
    status.needsAttention = true;
    publishAttention();
    await condition(() => !status.paused || cancelled());
    status.halt = null;
    status.needsAttention = false;
    publishAttention();
  }

  /** A send stopped for a person: an intervention, or in old histories a paused halt. */
  async function stopSending(
    halt: NonNullable<CampaignStatus['halt']> & { accountHalted?: boolean },
  ) {
    if (!peopleInTheLoop) return haltForAttention(halt);
    const kind = haltKind(halt.category);
    await openInterventionOnce(
      kind,
      kind === 'sender_halted' ? `account:${input.accountId}` : `${halt.code}:${halt.deliveryId}`,
      {
        code: halt.code,
        category: halt.category,
        deliveryId: halt.deliveryId,
        accountId: input.accountId,
        accountHalted: halt.accountHalted ?? false,
      },
    );
  }

  /** Too many of the recent sends failed: stop for a person before more go wrong. */
  async function checkErrorRate(failed: boolean): Promise<void> {
    if (!peopleInTheLoop) return;
    const limits = plan?.safety ?? {
      errorRateThreshold: 0.3,
      errorRateWindow: 20,
      errorRateMinAttempts: 10,
    };
    loop.recentFailures = [...loop.recentFailures, failed].slice(-limits.errorRateWindow);
    const window = {
      threshold: limits.errorRateThreshold,
      window: limits.errorRateWindow,
      minAttempts: limits.errorRateMinAttempts,
    };
    if (!errorRateExceeded(loop.recentFailures, window)) return;
    const failures = loop.recentFailures.filter(Boolean).length;
    loop.recentFailures = [];
    await openInterventionOnce('error_rate', `sent:${status.counts.sent + status.counts.failed}`, {
      failed: failures,
      window: limits.errorRateWindow,
      threshold: limits.errorRateThreshold,
    });
  }

  /** Decides stored entry events in batches until none is left; returns the deliveries queued. */
  async function drainEntries(
    activePlan: CampaignPlan,
  ): Promise<{ queued: number; remaining: number; held: boolean; retryAt?: string }> {
    let queued = 0;
    for (;;) {
      if (peopleInTheLoop && blocked('entries')) return { queued, remaining: -1, held: true };
      // The sender is halted: its entries wait, stored, until a person resumes it.
      if (noEntryLost && senderHalted()) return { queued, remaining: -1, held: true };
      const batch = await deciding.processEntries({
        campaignId: input.campaignId,
        now: new Date().toISOString(),
        limit: ENTRY_BATCH,
      });
      if (batch.halted) {
        // X refused the sender while the batch's facts were read: the same stop as a send.
        await stopSending({
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
      if (
        peopleInTheLoop &&
        activePlan.kind === 'instant_win' &&
        batch.stockRemaining === 0 &&
        !loop.stockAcknowledged &&
        !(guardedChanges && loop.endCollecting) &&
        // Once collection has ended, a late entry that finds no stock simply loses.
        !(noEntryLost && status.phase !== 'collecting')
      ) {
        // Entries keep landing in the database; they are decided once a person chooses.
        await openInterventionOnce('stock_exhausted', 'stock', { wonSoFar: status.counts.won });
      }
      if (batch.remaining === 0 || batch.processed === 0) {
        return {
          queued,
          remaining: batch.remaining,
          held: false,
          ...(batch.xWindowResetAt ? { retryAt: batch.xWindowResetAt } : {}),
        };
      }
    }
  }

  /**
   * Decides every event stored so far (late ones as late, with their reason), so nothing a
   * participant sent stays undecided when collection's results become final.
   */
  async function settleEntries(): Promise<{ queued: number }> {
    if (!noEntryLost || !plan) return { queued: 0 };
    let queued = 0;
    for (;;) {
      // A halted sender's entries are decided once a person resumes it, not skipped.
      await condition(() => cancelled() || !senderHalted());
      // A change waiting for approval holds decisions: they are made on approved rules only.
      await awaitReapproval();
      if (cancelled()) return { queued };
      const drained = await drainEntries(plan);
      queued += drained.queued;
      if (drained.remaining === 0 || drained.held) return { queued };
      // Events are stored that no batch could take yet (another attempt still holds them, or
      // their facts wait for X's rate window): try again then, never go on without them.
      const waitMs = drained.retryAt
        ? Math.min(16 * 60_000, Math.max(1_000, Date.parse(drained.retryAt) - Date.now()))
        : SETTLE_RETRY_MS;
      await condition(() => cancelled() || loop.reapprovalNeeded, waitMs);
    }
  }

  /**
   * Sends queued deliveries under the account's daily DM cap. `until: 'window_full'` stops at
   * a full day (instant wins keep collecting); `until: 'drained'` sleeps to the next local day.
   */
  async function deliverQueue(until: 'window_full' | 'drained'): Promise<void> {
    for (;;) {
      queueNudged = false;
      const { ids } = await runtime.listDeliveryQueue({
        campaignId: input.campaignId,
        limit: DELIVERY_BATCH,
      });
      status.queueLength = ids.length;
      if (ids.length === 0 || cancelled()) return;
      for (const deliveryId of ids) {
        if (!(await untilRunning())) return;
        let outcome;
        try {
          outcome = await sender.sendDelivery({ deliveryId, now: new Date().toISOString() });
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
          await stopSending({
            code: cause?.type ?? 'send_retries_exhausted',
            category: 'transient',
            deliveryId,
          });
          break;
        }
        if (outcome.status === 'quota_full') {
          if (until === 'window_full') return;
          status.nextWindowAt = outcome.nextWindowAt;
          await condition(cancelled, Math.max(0, Date.parse(outcome.nextWindowAt) - Date.now()));
          status.nextWindowAt = null;
          break;
        }
        if (outcome.status === 'halted') {
          await stopSending({
            code: outcome.code,
            category: outcome.category,
            deliveryId,
            ...(outcome.accountHalted ? { accountHalted: true } : {}),
          });
          break;
        }
        if (outcome.status === 'sent') status.counts.sent += 1;
        if (outcome.status === 'failed') status.counts.failed += 1;
        status.queueLength = Math.max(0, status.queueLength - 1);
        if (outcome.status === 'sent' || outcome.status === 'failed') {
          sendsThisRun += 1;
          await checkErrorRate(outcome.status === 'failed');
          await pace();
          await continueAsNewIfSuggested();
        }
        // A resend or follow-up was queued meanwhile: list the queue again so it is seen.
        if (queueNudged) break;
        // New entries wait for no queue: collection decides them, then sends on.
        if (noEntryLost && until === 'window_full' && entriesArrived) return;
      }
    }
  }

  /** A minimum gap with jitter between sends: bursts of identical DMs get accounts restricted. */
  async function pace(): Promise<void> {
    const pacing = plan?.pacing ?? { minGapSeconds: 20, jitterSeconds: 10 };
    const gapMs =
      pacing.minGapSeconds * 1000 + Math.floor(Math.random() * pacing.jitterSeconds * 1000);
    await condition(cancelled, gapMs);
  }

  async function collect(activePlan: CampaignPlan): Promise<void> {
    const endAtMs = Date.parse(activePlan.endAt);
    // Past the end, X is read once more for the last minute; a held collection only takes in
    // what the webhook (and its replay) delivers, never undated polled engagements.
    let polledPastEnd = false;
    while (!cancelled()) {
      if (peopleInTheLoop) await awaitReapproval();
      if (cancelled()) return;
      // Taken now: a nudge from here on (while polling, deciding or sending) wakes the next pass.
      if (noEntryLost) entriesArrived = false;
      if (watchAutomation && !automation.dismissed && Date.now() >= automation.nextCheckAtMs) {
        if (Date.now() < endAtMs) await checkAutomation(activePlan);
      }
      const pastEnd = Date.now() >= endAtMs || loop.endCollecting;
      // Nudges wake the loop for new entries; X's lists are read once per interval (and once
      // past the end), not on every nudge.
      const pollDue =
        !noEntryLost ||
        (pastEnd && !polledPastEnd) ||
        Date.now() - (loop.lastPolledAtMs ?? 0) >= POLL_INTERVAL_MS;
      if (!(watchAutomation && pastEnd && polledPastEnd) && pollDue) {
        if (noEntryLost) loop.lastPolledAtMs = Date.now();
        try {
          const polled = await polling.pollEntries({ campaignId: input.campaignId, cursors });
          cursors = polled.cursors;
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          // Polling is reconciliation: a failed round is retried at the next interval.
        }
        polledPastEnd = pastEnd;
      }
      await drainEntries(activePlan);
      if (activePlan.kind === 'instant_win' && !status.paused) {
        if (!peopleInTheLoop || !blocked('sending')) await deliverQueue('window_full');
      }
      const ended = Date.now() >= endAtMs || loop.endCollecting;
      if (ended && !(await holdCollecting(activePlan))) {
        // What arrived while the last results were sent is decided before collection ends.
        await settleEntries();
        return;
      }
      if (!noEntryLost) entriesArrived = false;
      const openCount = open.length;
      // Past the end only a held collection waits: for a person, or for X's replay.
      const graceLeft = automation.replayGraceUntilMs - Date.now();
      const nextWake = !ended
        ? Math.min(POLL_INTERVAL_MS, endAtMs - Date.now())
        : Math.min(POLL_INTERVAL_MS, graceLeft > 0 ? graceLeft : POLL_INTERVAL_MS);
      // Wake only for what this loop can act on: a nudge to a queue it may not send from now
      // (paused, or held by a stop) would spin the loop until the stop ends.
      const canSend = () =>
        activePlan.kind === 'instant_win' &&
        !status.paused &&
        !(peopleInTheLoop && blocked('sending'));
      await condition(
        () =>
          entriesArrived ||
          cancelled() ||
          (!ended && loop.endCollecting) ||
          loop.reapprovalNeeded ||
          (queueNudged && (!guardedChanges || canSend())) ||
          (peopleInTheLoop && open.length < openCount),
        nextWake,
      );
      await continueAsNewIfSuggested();
    }
  }

  async function finish(
    outcome: CampaignWorkflowResult['outcome'],
  ): Promise<CampaignWorkflowResult> {
    if (outcome === 'cancelled') {
      if (guardedChanges) {
        // Nothing waits for a person any more: what is left open closes with the campaign.
        for (const left of [...open]) {
          const resolution = interventionCatalog[left.kind].resolutions.includes('cancel')
            ? 'cancel'
            : 'dismiss';
          await resolveOpen(left, resolution, {
            by: status.cancelledBy ?? 'unknown',
            note: 'campaign cancelled',
          });
        }
      }
      await enterPhase('cancelled');
      if (peopleInTheLoop) await condition(allHandlersFinished);
      return {
        campaignId: input.campaignId,
        outcome,
        reason: `cancelled by ${status.cancelledBy}`,
      };
    }
    await enterPhase('completed');
    if (peopleInTheLoop) await condition(allHandlersFinished);
    return { campaignId: input.campaignId, outcome, report: status.report ?? undefined };
  }

  // Phases run in order; a continued run picks up at the phase its state names.
  const startPhase = status.phase;
  const reached = (phase: CampaignPhase) =>
    campaignPhases.indexOf(startPhase) <= campaignPhases.indexOf(phase);

  if (reached('preflight')) {
    await enterPhase('preflight');
    status.preflight = await preflight.runPreflight({ campaignId: input.campaignId });
  }
  if (reached('awaiting_approval') && !peopleInTheLoop) {
    status.needsAttention = true;
    await enterPhase('awaiting_approval');
    await condition(() => status.approvedBy !== null || cancelled());
    status.needsAttention = false;
    if (cancelled()) return finish('cancelled');
  } else if (reached('awaiting_approval') && status.approvedBy === null) {
    // Approval is the first intervention: stored, shown, resolved with who and when.
    await openInterventionOnce('approval', `round:${status.approvalRound}`, {
      preflight: status.preflight,
    });
    await enterPhase('awaiting_approval');
    await condition(() => status.approvedBy !== null || cancelled());
    if (cancelled()) {
      for (const approval of open.filter((i) => i.kind === 'approval')) {
        await resolveOpen(approval, 'cancel', { by: status.cancelledBy ?? 'unknown' });
      }
      return finish('cancelled');
    }
    await resolveApproval();
  }
  // A change accepted while the approval was recorded keeps its flag: the schedule or collection
  // loop takes it back to awaiting_approval.
  if (peopleInTheLoop && !(changeMidApproval && status.approvedBy === null)) {
    loop.reapprovalNeeded = false;
  }
  plan ??= await runtime.prepareCampaign({ campaignId: input.campaignId });

  if (reached('scheduled')) {
    await enterPhase('scheduled');
    if (!peopleInTheLoop) {
      await condition(cancelled, Math.max(0, Date.parse(plan.startAt) - Date.now()));
    } else {
      // A changed configuration waits for its approval before the start.
      while (!cancelled() && Date.now() < Date.parse(plan.startAt)) {
        await condition(
          () => cancelled() || loop.reapprovalNeeded,
          Math.max(0, Date.parse(plan.startAt) - Date.now()),
        );
        await awaitReapproval();
      }
    }
    if (cancelled()) return finish('cancelled');
  }
  if (reached('collecting')) {
    if (status.phase !== 'collecting') await enterPhase('collecting');
    await collect(plan);
    if (cancelled()) return finish('cancelled');
    // Collection is over: running out of stock no longer needs a decision.
    for (const stockOut of open.filter((i) => i.kind === 'stock_exhausted')) {
      await resolveOpen(stockOut, 'end_collecting', {
        by: 'kuji',
        note: 'collection period ended',
      });
    }
    // Entries held back while stock was out are decided now that collection has ended.
    await settleEntries();
  }
  if (reached('drawing') && plan.kind === 'drawn') {
    if (peopleInTheLoop) await awaitReapproval();
    if (cancelled()) return finish('cancelled');
    await enterPhase('drawing');
    await settleEntries();
    const draw = await deciding.drawCampaign({ campaignId: input.campaignId });
    status.draw = {
      seed: draw.seed,
      digest: draw.digest,
      entryCount: draw.entryCount,
      winners: draw.winners,
    };
    status.counts.won = draw.winners;
  }
  if (reached('delivering')) {
    for (;;) {
      if (status.phase !== 'delivering') await enterPhase('delivering');
      for (;;) {
        // A change accepted while nothing is queued is approved here, not waited on for ever.
        if (noEntryLost) await awaitReapproval();
        if (cancelled()) return finish('cancelled');
        await deliverQueue('drained');
        if (cancelled()) return finish('cancelled');
        // Late events are decided before the queue counts as drained: a decision may queue a result.
        if ((await settleEntries()).queued > 0) continue;
        if (!peopleInTheLoop) break;
        // The report waits for every open intervention: a resend or follow-up may still go out.
        if (open.length === 0 && !queueNudged && allHandlersFinished()) break;
        await condition(
          () =>
            queueNudged ||
            cancelled() ||
            (noEntryLost && loop.reapprovalNeeded) ||
            (open.length === 0 && allHandlersFinished()),
        );
      }
      if (!noEntryLost) break;
      // The webhook stores no more events once the phase reads analyzing; what it stored before
      // is decided here, and a result that decision queues is still sent.
      await enterPhase('analyzing');
      if ((await settleEntries()).queued === 0) break;
    }
  }
  if (!noEntryLost || status.phase !== 'analyzing') await enterPhase('analyzing');
  status.report = await runtime.computeReport({
    campaignId: input.campaignId,
    now: new Date().toISOString(),
  });
  return finish('completed');
}
