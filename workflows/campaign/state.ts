/**
 * What one campaign run knows: the status everyone can query, the bookkeeping carried across
 * continue-as-new, and the flags message handlers raise for the main loop. Every module of the
 * workflow takes this one object.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { InterventionSummary } from '../../domain/interventions';
import type { CampaignPhase } from '../../domain/phases';
import type { CampaignStatus } from '../messages';
import type { AutomationWatch } from '../types';

export type CampaignPlan = Awaited<ReturnType<Activities['prepareCampaign']>>;

/** The workflow's own bookkeeping, carried across continue-as-new. */
export interface RunBookkeeping {
  /** The configuration changed after approval; sending and deciding wait for a new approval. */
  reapprovalNeeded: boolean;
  /** Outcomes of recent sends, true for a failure: the error-rate check's window. */
  recentFailures: boolean[];
  /** An operator chose to keep collecting after stock ran out. */
  stockAcknowledged: boolean;
  /** An operator ended collecting early. */
  endCollecting: boolean;
  /** Who changed the configuration since the last approval: none of them approves it. */
  changers: string[];
  /** The watch over the webhook entries arrive through. */
  watch: AutomationWatch;
  /** Workflow time (ms) the last send ended: pacing carries across batches. */
  lastSendAtMs?: number;
  /** Workflow time (ms) the day's cap opens again while collecting with a full quota. */
  sendWindowAtMs?: number;
}

export interface CampaignRunInput {
  campaignId: string;
  accountId: string;
  author: string;
  /** State carried over by continue-as-new. */
  resume?: { status: CampaignStatus; plan: CampaignPlan | null; loop: RunBookkeeping };
  options?: {
    /** Tests only: continue-as-new after this many sends, as Temporal would suggest on a long run. */
    continueAsNewAfterSends?: number;
  };
}

export interface CampaignRun {
  readonly input: CampaignRunInput;
  readonly status: CampaignStatus;
  /** Open interventions (the same array as `status.interventions`). */
  readonly open: InterventionSummary[];
  readonly loop: RunBookkeeping;
  plan: CampaignPlan | null;
  /** A resend or follow-up was queued: the queue is read again. */
  queueNudged: boolean;
  /** The webhook stored new entry events: decide them now. */
  entriesArrived: boolean;
  /** Configuration changes still being checked: approval waits for their findings. */
  changesInProgress: number;
  /** Preflight runs started by changes: only the newest one's findings are kept. */
  preflightRuns: number;
  /** Sends that ended in this run (continue-as-new bookkeeping for tests). */
  sendsThisRun: number;
  /** Set by the entry watch when it found something for the workflow. */
  watchReported: boolean;
  /** A participant claimed a prize: the claiming phase looks at the claims again. */
  claimsNudged: boolean;
  /** Workflow time (ms) of the last settling of the claims: nudges within a while coalesce. */
  lastSettleAtMs: number;
  /**
   * `status.claims` may be behind the database: a win message was sent (its claim deadline
   * started) or an entry decision opened a claim since the last settling (claim-deadlines.ts).
   */
  claimsStale: boolean;
}

export function newCampaignRun(input: CampaignRunInput): CampaignRun {
  const status: CampaignStatus = input.resume?.status ?? {
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
    claims: null,
    report: null,
    interventions: [],
    approvalRound: 1,
  };
  status.interventions ??= [];
  status.approvalRound ??= 1;
  const loop: RunBookkeeping = input.resume?.loop ?? {
    reapprovalNeeded: false,
    recentFailures: [],
    stockAcknowledged: false,
    endCollecting: false,
    changers: [],
    watch: {
      armedAt: null,
      nextCheckAtMs: 0,
      disarmedSince: null,
      finalCheckDone: false,
      replayGraceUntilMs: 0,
      dismissed: false,
    },
  };
  return {
    input,
    status,
    open: status.interventions,
    loop,
    plan: input.resume?.plan ?? null,
    queueNudged: false,
    entriesArrived: false,
    changesInProgress: 0,
    preflightRuns: 0,
    sendsThisRun: 0,
    watchReported: false,
    claimsNudged: false,
    lastSettleAtMs: 0,
    // A continued run's status may predate its last sends.
    claimsStale: input.resume !== undefined,
  };
}

export const cancelled = (run: CampaignRun): boolean => run.status.cancelledBy !== null;

/** A stop for the sender account itself (restricted, authorisation lost) is open. */
export const senderHalted = (run: CampaignRun): boolean =>
  run.open.some((i) => i.kind === 'sender_halted');

/** Sending or deciding waits: for a new approval, or for a person on an open stop. */
export const blocked = (run: CampaignRun, what: 'sending' | 'entries'): boolean =>
  run.loop.reapprovalNeeded || run.open.some((i) => i.blocks === what || i.blocks === 'launch');

/** Refuses an update before anything is recorded; the API answers with the code and message. */
export function refuse(code: string, message: string, phase: CampaignPhase): never {
  throw ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: true,
    details: [{ phase }],
  });
}
