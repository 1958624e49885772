/**
 * Campaigns of the participants' end-to-end test, driven through the API as operators and
 * approvers do, on the time-skipping server of a ParticipantStack: the follow + repost campaign
 * with claims, a DM-keyword campaign whose winner gets a real DM, the workflow's live state as
 * the API shows it, and waits that let the server skip time until something holds.
 */
import assert from 'node:assert/strict';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { insertEntryEvents } from '../../db/repositories/entries';
import { DEMO_CAMPAIGN_POST_ID } from '../../emulator';
import type { Participant } from './campaign-world';
import type { ParticipantStack } from './participant-stack';
import { describeRun } from './scenario';

/** The campaign the issue is about: follow the brand and repost its post; goods to claim. */
export function followRepostClaimsConfig(accountId: string, now: Date): CampaignConfigInput {
  return {
    kind: 'drawn',
    name: '冬のフォロー＆リポストキャンペーン',
    accountId,
    post: { tweetId: DEMO_CAMPAIGN_POST_ID },
    entryRules: { all: [{ type: 'follow' }, { type: 'repost' }] },
    prizes: [
      {
        id: 'gift-set',
        name: '冬のギフトセット',
        stock: 2,
        valueYen: 3000,
        codes: ['GIFT-0001', 'GIFT-0002'],
      },
    ],
    templates: {
      win: { dm: '{name}さん、当選です！{prize} 詳細: {resultUrl}' },
      lose: {},
    },
    schedule: {
      // The reposts exist already: the entry period began before them.
      startAt: new Date(now.getTime() - 5 * 60_000).toISOString(),
      endAt: new Date(now.getTime() + 10 * 60_000).toISOString(),
      timezone: 'Asia/Tokyo',
      claimDeadlineHours: 72,
    },
    pacing: { minGapSeconds: 1, jitterSeconds: 1 },
    compliance: { premiumKind: 'open' },
    draw: { winners: 2, alternates: 2 },
    claim: { fields: ['name', 'email', 'postalAddress'], retentionDays: 30 },
  };
}

export interface LiveState {
  phase: string;
  claims?: {
    open: number;
    claimed: number;
    forfeited: number;
    promoted: number;
    nextDeadlineAt: string | null;
  } | null;
}

/** A campaign's live state as `GET /v1/campaigns/:id` shows it (the stored phase once closed). */
export async function liveState(stack: ParticipantStack, id: string): Promise<LiveState> {
  const response = await stack.app.inject({
    url: `/v1/campaigns/${id}`,
    headers: stack.auth('viewer'),
  });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json<{
    campaign: { phase: string };
    workflow: { state: LiveState | null } | null;
  }>();
  return body.workflow?.state ?? { phase: body.campaign.phase };
}

/**
 * Lets the time-skipping server run `step` at a time until `probe` holds; otherwise fails with
 * what every started workflow was doing (live state and last events).
 */
export async function skipUntil(
  stack: ParticipantStack,
  what: string,
  probe: () => Promise<boolean>,
  options: { step?: string; maxSteps?: number } = {},
): Promise<void> {
  for (let i = 0; i < (options.maxSteps ?? 400); i += 1) {
    if (await probe()) return;
    await stack.env.sleep(options.step ?? '1 minute');
  }
  const runs = await Promise.all(
    stack.started.map(async (workflowId) => {
      const id = workflowId.replace(/^campaign:/, '');
      const state = await liveState(stack, id).catch(() => null);
      const described = await describeRun(stack.env.client.workflow.getHandle(workflowId), 25);
      return `${described}\n  live: ${JSON.stringify(state)}`;
    }),
  );
  throw new Error(`never saw ${what}:\n${runs.join('\n')}`);
}

/** Waits for preflight, then approves as the approver (not the author). */
async function approveWhenReady(stack: ParticipantStack, id: string): Promise<void> {
  stack.started.push(`campaign:${id}`);
  await skipUntil(
    stack,
    `${id} awaiting approval`,
    async () => (await liveState(stack, id)).phase === 'awaiting_approval',
    { step: '100 milliseconds', maxSteps: 3000 },
  );
  const approved = await stack.app.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/approve`,
    headers: stack.auth('approver'),
    payload: {},
  });
  assert.equal(approved.statusCode, 200, `${id}: ${approved.body}`);
}

/** An operator creates and starts the campaign, an approver approves it. */
export async function createAndApprove(
  stack: ParticipantStack,
  id: string,
  config: CampaignConfigInput,
): Promise<void> {
  const created = await stack.app.inject({
    method: 'POST',
    url: '/v1/campaigns',
    headers: stack.auth('operator'),
    payload: { id, config },
  });
  assert.equal(created.statusCode, 201, created.body);
  await approveWhenReady(stack, id);
}

/**
 * A DM-keyword campaign whose one entrant DMed the keyword through X's webhook before the
 * campaign started (stored as the workflow tests store it): its winner gets a real win DM.
 */
export async function createDmKeywordCampaign(
  stack: ParticipantStack,
  id: string,
  config: CampaignConfigInput,
  person: Participant,
): Promise<void> {
  const created = await stack.app.inject({
    method: 'POST',
    url: '/v1/campaigns',
    headers: stack.auth('operator'),
    payload: { id, config, start: false },
  });
  assert.equal(created.statusCode, 201, created.body);
  await insertEntryEvents(stack.testDb.db, [
    {
      campaignId: id,
      xEventId: `dm-${id}-0`,
      source: 'dm_keyword',
      xUserId: person.id,
      username: person.username,
      text: '参加します',
      receivedVia: 'webhook',
    },
  ]);
  const started = await stack.app.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/start`,
    headers: stack.auth('operator'),
  });
  assert.equal(started.statusCode, 202, started.body);
  await approveWhenReady(stack, id);
}
