/**
 * A drawn DM-keyword campaign on a drill stack, in real time: the audience loaded into the X
 * emulator, the sender linked, the campaign stored with its entries, started and approved the way
 * the API does, and judged at the end by the emulator's record against the winners in PostgreSQL.
 */
import { type WorkflowHandle, WorkflowFailedError } from '@temporalio/client';
import { insertApiKey } from '../../db/repositories/api-keys';
import { markCampaignStarted } from '../../db/repositories/campaigns';
import { listEntries } from '../../db/repositories/entries';
import { DEMO_SENDER_USER_ID } from '../../emulator';
import { approveSignal, statusQuery } from '../../workflows/messages';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  CampaignIdKey,
  CampaignPhaseKey,
  campaignWorkflowId,
  NeedsAttentionKey,
  SenderAccountKey,
} from '../../workflows/search-attributes';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../../test/support/campaign-world';
import { exactlyOnceFailures, judgeExactlyOnce } from '../judge';
import type { DrillStack } from './stack';

export interface DrillCampaign {
  campaignId: string;
  accountId: string;
  people: Participant[];
  winners: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Throws the abort reason once the drill is past its budget. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/**
 * `entries` people who DMed the keyword (stored as entries unless `entriesStored` is false: then
 * they arrive later, e.g. by webhook), `winners` of them to draw. Pacing 0 and a daily cap above
 * the winners: the drill measures faults, not pacing. Collection ends `collectSeconds` from now.
 */
export async function seedDrillCampaign(
  stack: DrillStack,
  options: {
    name: string;
    entries: number;
    winners: number;
    collectSeconds: number;
    entriesStored?: boolean;
  },
): Promise<DrillCampaign> {
  const people = participants(options.entries, options.name.replace(/[^a-z]/g, ''));
  await stack.emulator.loadScenario(worldScenario(people));
  const accountId = await seedLinkedAccount(stack.db, { dmDailyCap: options.winners * 2 });
  const now = Date.now();
  const config = dmKeywordDrawConfig(accountId, new Date(now), {
    winners: options.winners,
    overrides: {
      name: `drill ${options.name}`,
      schedule: {
        startAt: new Date(now - 60_000).toISOString(),
        endAt: new Date(now + options.collectSeconds * 1000).toISOString(),
        timezone: 'Asia/Tokyo',
      },
      pacing: { minGapSeconds: 0, jitterSeconds: 0 },
    },
  });
  const campaign = await seedCampaignWithEntries(stack.db, {
    accountId,
    config,
    people: options.entriesStored === false ? [] : people,
  });
  return { campaignId: campaign.id, accountId, people, winners: options.winners };
}

/** Starts the campaign's workflow as `POST /v1/campaigns/:id/start` does. */
export async function startDrillCampaign(
  stack: DrillStack,
  campaign: DrillCampaign,
): Promise<WorkflowHandle> {
  const workflowId = campaignWorkflowId(campaign.campaignId);
  const handle = await stack.client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: stack.taskQueue,
    args: [{ campaignId: campaign.campaignId, accountId: campaign.accountId, author: 'alice' }],
    typedSearchAttributes: [
      { key: CampaignIdKey, value: campaign.campaignId },
      { key: CampaignPhaseKey, value: 'preflight' },
      { key: SenderAccountKey, value: campaign.accountId },
      { key: NeedsAttentionKey, value: false },
    ],
  });
  await markCampaignStarted(stack.db, campaign.campaignId, workflowId, handle.firstExecutionRunId);
  return handle;
}

/** Waits until the campaign's phase satisfies `until` (queries need a running worker). */
export async function waitForPhase(
  handle: WorkflowHandle,
  until: (phase: string) => boolean,
  signal: AbortSignal,
): Promise<string> {
  for (;;) {
    throwIfAborted(signal);
    const phase = await handle
      .query(statusQuery)
      .then((status) => status.phase as string)
      .catch(() => undefined);
    if (phase !== undefined && until(phase)) return phase;
    await pause(250);
  }
}

/** Approves the launch (approver `bob`, seeded by the stack) once preflight asks for it. */
export async function approveWhenAsked(handle: WorkflowHandle, signal: AbortSignal) {
  await waitForPhase(handle, (phase) => phase === 'awaiting_approval', signal);
  await handle.signal(approveSignal, { by: 'bob' });
}

/**
 * The workflow's result, or the abort reason when the drill runs out of time first. A server
 * that is down (a restart) is waited for; a failed workflow is thrown.
 */
export async function awaitResult(
  handle: WorkflowHandle,
  drillSignal: AbortSignal,
  /** The stack's `closing`: the call is cancelled before its channel closes. */
  closing?: AbortSignal,
): Promise<unknown> {
  const signal = closing ? AbortSignal.any([drillSignal, closing]) : drillSignal;
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  for (;;) {
    try {
      return await Promise.race([
        handle.client.withAbortSignal(signal, () => handle.result()),
        aborted,
      ]);
    } catch (error) {
      if (signal.aborted || error instanceof WorkflowFailedError) throw error;
      await Promise.race([pause(500), aborted]);
    }
  }
}

/** A campaign under way: its winners' DMs going out while the drill breaks things. */
export interface SendingDrillCampaign {
  campaign: DrillCampaign;
  /** When it was started (ms since epoch). */
  startedAt: number;
  /** The workflow's result (see awaitResult). */
  finished: Promise<unknown>;
  /** True once `finished` has settled. */
  readonly done: boolean;
  /** DMs the emulator has accepted so far. */
  sent(): number;
}

/**
 * Seeds, starts and approves a campaign of `entries` stored entries and `winners` winners on the
 * stack's worker, collecting for 3 s, and watches it until its workflow ends.
 */
export async function sendDrillCampaign(
  stack: DrillStack,
  signal: AbortSignal,
  options: { name: string; entries: number; winners: number },
): Promise<SendingDrillCampaign> {
  const campaign = await seedDrillCampaign(stack, { ...options, collectSeconds: 3 });
  const handle = await startDrillCampaign(stack, campaign);
  const startedAt = Date.now();
  await approveWhenAsked(handle, signal);
  const finished = awaitResult(handle, signal, stack.closing);
  let done = false;
  finished.then(
    () => (done = true),
    () => (done = true),
  );
  return {
    campaign,
    startedAt,
    finished,
    get done() {
      return done;
    },
    sent: () => stack.emulator.sent().dms.length,
  };
}

/** An API key with a role, for drills that go through the API processes. */
export async function createDrillApiKey(
  stack: DrillStack,
  role: 'admin' | 'operator' | 'approver' | 'viewer',
  id: string,
): Promise<string> {
  return (await insertApiKey(stack.db, { id, name: id, role })).secret;
}

export interface CampaignVerdict {
  failures: string[];
  figures: Record<string, number>;
}

/**
 * Expected recipients are Kuji's own decisions (entries won in PostgreSQL), cross-checked against
 * the scenario (that many winners, all of them people who entered); then exactly one DM each.
 * `dropWinner` removes one winner from the expectation: the deliberate break that shows the
 * judge can fail.
 */
export async function judgeDrillCampaign(
  stack: DrillStack,
  campaign: DrillCampaign,
  options: { dropWinner?: boolean } = {},
): Promise<CampaignVerdict> {
  const won = await listEntries(stack.db, campaign.campaignId, { outcome: 'won', limit: 100_000 });
  const winners = won.map((entry) => entry.xUserId);
  const failures: string[] = [];
  if (winners.length !== campaign.winners) {
    failures.push(
      `${winners.length} winner(s) in PostgreSQL, the campaign draws ${campaign.winners} / 当選者数の不一致`,
    );
  }
  const entered = new Set(campaign.people.map((p) => p.id));
  const strangers = winners.filter((id) => !entered.has(id));
  if (strangers.length > 0) {
    failures.push(`${strangers.length} winner(s) never entered / 応募していない当選者`);
  }
  const expected = options.dropWinner ? winners.slice(1) : winners;
  const verdict = judgeExactlyOnce(stack.emulator.sent().dms, DEMO_SENDER_USER_ID, expected);
  failures.push(...exactlyOnceFailures(verdict));
  return {
    failures,
    figures: { winners: winners.length, dmsSent: verdict.sent },
  };
}
