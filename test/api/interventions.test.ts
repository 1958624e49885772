/**
 * People in the loop through the HTTP API, end to end: Fastify (inject) → the Temporal CLI dev
 * server → a worker with the real activities → PostgreSQL → twitter-api-v2 → the X emulator.
 * The dev server runs in real time, so campaigns collect for a few seconds and send without gaps
 * unless a test needs them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { insertApiKey } from '../../db/repositories/api-keys';
import type { CampaignConfig, CampaignConfigInput } from '../../domain/campaign-config';
import { xErrorCatalog } from '../../domain/x-error-catalog';
import { statusQuery } from '../../workflows/messages';
import { campaignWorkflowId } from '../../workflows/search-attributes';
import { applyAction, DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
import { type ApiHarness, startApiHarness } from '../support/api';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createDevServerEnv } from '../support/temporal';

const { EventType } = temporal.api.enums.v1;

type Role = keyof ApiHarness['keys'] | 'approver2';

interface ErrorBody {
  code: string;
  message: string;
  details?: { phase?: string };
}

interface FieldErrorBody {
  code: string;
  message: string;
  details: { path: string; message: string }[];
}

interface InterventionBody {
  id: string;
  kind: string;
  status: 'open' | 'resolved';
  blocks: string;
  resolutions: string[];
  details: Record<string, unknown>;
  error: {
    code: string;
    category: string;
    reason: { ja: string; en: string };
    remedy: { ja: string; en: string };
  } | null;
  openedBy: string;
  openedAt: string;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

interface CampaignDetail {
  campaign: {
    id: string;
    phase: string;
    paused: boolean;
    author: string;
    configVersion: number;
    approvedConfigVersion: number | null;
  };
  workflow: {
    status: string;
    state: {
      phase: string;
      paused: boolean;
      needsAttention: boolean;
      approvedBy: string | null;
      cancelledBy: string | null;
      approvalRound?: number;
    } | null;
  } | null;
}

interface DeliveryBody {
  id: string;
  xUserId: string;
  kind: string;
  state: string;
  errorCategory: string | null;
}

interface ResendBody {
  queued: number;
  results: { id: string; outcome: string }[];
}

/** Participants with ids of their own: every cohort lives in the one emulator world. */
let nextUserId = 1_870_000_000_000_000_000n;
function cohort(count: number, prefix: string): Participant[] {
  return participants(count, prefix).map((person) => {
    nextUserId += 1n;
    return { ...person, id: String(nextUserId) };
  });
}

// Within a cohort ids ascend, so deliveries (queued in one statement, sent in id order) go out
// in cohort order.
const approvalPeople = cohort(2, 'appr');
const refusalPeople = cohort(2, 'refu');
const misdeliveryPeople = cohort(6, 'miss');
const [closedFirst, openFirst, closedSecond, openSecond] = cohort(4, 'rsnd') as [
  Participant,
  Participant,
  Participant,
  Participant,
];
const haltPeople = cohort(4, 'halt');
const [closedLate, openLate] = cohort(2, 'late') as [Participant, Participant];
const reapprovalPeople = cohort(3, 'reap');
const fixedFieldPeople = cohort(1, 'fixd');
const invalidConfigPeople = cohort(1, 'invl');
const endedConfigPeople = cohort(1, 'endc');
const endedPausePeople = cohort(1, 'endp');

const FOLLOW_UP_MARK = '訂正';
const CHANGED_MARK = '【改訂版】';

describe('people-in-the-loop API (API → Temporal dev server → worker → PostgreSQL → X emulator)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: ApiHarness;
  let approver2Key: string;

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    // One world for the whole file: reloading it would wipe what earlier campaigns sent.
    await emulator.loadScenario(
      worldScenario(
        [
          ...approvalPeople,
          ...refusalPeople,
          ...misdeliveryPeople,
          closedFirst,
          openFirst,
          closedSecond,
          openSecond,
          ...haltPeople,
          closedLate,
          openLate,
          ...reapprovalPeople,
          ...fixedFieldPeople,
          ...invalidConfigPeople,
          ...endedConfigPeople,
          ...endedPausePeople,
        ],
        { closedDms: [closedFirst.id, closedSecond.id, closedLate.id] },
      ),
    );
    api = await startApiHarness(env, testDb, { xApiBaseUrl: emulator.url });
    // A second approver: a misdelivery's reporter may not approve its own follow-up.
    approver2Key = (
      await insertApiKey(testDb.db, { id: 'approver2', name: 'approver2', role: 'approver' })
    ).secret;
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  const as = (role: Role) =>
    role === 'approver2' ? { authorization: `Bearer ${approver2Key}` } : api.auth(role);

  function post(url: string, role: Role, payload: object = {}) {
    return api.app.inject({ method: 'POST', url, headers: as(role), payload });
  }

  async function get<T>(url: string): Promise<T> {
    const response = await api.app.inject({ url, headers: as('viewer') });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json<T>();
  }

  function put(url: string, role: Role, payload: object) {
    return api.app.inject({ method: 'PUT', url, headers: as(role), payload });
  }

  /** The configuration as stored, with its version: what a refused change must leave alone. */
  async function storedConfig(campaignId: string) {
    const row = await testDb.db
      .selectFrom('campaigns')
      .select(['name', 'config', 'config_version'])
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow();
    return { name: row.name, config: row.config as CampaignConfig, version: row.config_version };
  }

  /** The workflow's own status query, beside what GET /v1/campaigns/:id shows of it. */
  function workflowStatus(campaignId: string) {
    return env.client.workflow.getHandle(campaignWorkflowId(campaignId)).query(statusQuery);
  }

  const detail = (campaignId: string) => get<CampaignDetail>(`/v1/campaigns/${campaignId}`);

  async function interventionsOf(campaignId: string, status?: 'open' | 'resolved') {
    const query = status ? `?status=${status}` : '';
    return (
      await get<{ interventions: InterventionBody[] }>(
        `/v1/campaigns/${campaignId}/interventions${query}`,
      )
    ).interventions;
  }

  async function deliveriesOf(campaignId: string, state?: string) {
    const query = state ? `?state=${state}` : '';
    return (
      await get<{ deliveries: DeliveryBody[] }>(`/v1/campaigns/${campaignId}/deliveries${query}`)
    ).deliveries;
  }

  /** Polls until `probe` answers; the bound is generous because the dev server runs in real time. */
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`never saw: ${what}`);
  }

  function waitForPhase(campaignId: string, phase: string) {
    return waitFor(`${campaignId} in phase ${phase}`, async () => {
      const current = await detail(campaignId);
      return current.workflow?.state?.phase === phase ? current : undefined;
    });
  }

  function waitForCompletion(campaignId: string) {
    return waitFor(`${campaignId} completed`, async () => {
      const current = await detail(campaignId);
      return current.workflow?.status === 'COMPLETED' && current.campaign.phase === 'completed'
        ? current
        : undefined;
    });
  }

  /** Waits for an open intervention of `kind` other than those in `seen`. */
  function waitForOpen(campaignId: string, kind: string, seen: string[] = []) {
    return waitFor(`an open ${kind} intervention`, async () =>
      (await interventionsOf(campaignId, 'open')).find(
        (i) => i.kind === kind && !seen.includes(i.id),
      ),
    );
  }

  /**
   * A drawn DM-keyword campaign where everyone wins, stored with its entries and started through
   * the API; the workflow's author is `author`, who also presses start.
   */
  async function launch(
    people: Participant[],
    options: { author: 'operator' | 'admin'; overrides?: Partial<CampaignConfigInput> },
  ) {
    const accountId = await seedLinkedAccount(testDb.db);
    const now = Date.now();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      author: options.author,
      config: dmKeywordDrawConfig(accountId, new Date(now), {
        winners: people.length,
        overrides: {
          schedule: {
            startAt: new Date(now).toISOString(),
            endAt: new Date(now + 3_000).toISOString(),
            timezone: 'Asia/Tokyo',
          },
          pacing: { minGapSeconds: 0, jitterSeconds: 0 },
          ...options.overrides,
        },
      }),
    });
    const started = await post(`/v1/campaigns/${campaign.id}/start`, options.author);
    assert.equal(started.statusCode, 202, started.body);
    await waitForPhase(campaign.id, 'awaiting_approval');
    return { accountId, campaignId: campaign.id };
  }

  async function approve(campaignId: string) {
    const response = await post(`/v1/campaigns/${campaignId}/approve`, 'approver');
    assert.equal(response.statusCode, 200, response.body);
  }

  async function cancel(campaignId: string) {
    const response = await post(`/v1/campaigns/${campaignId}/cancel`, 'operator');
    assert.equal(response.statusCode, 202, response.body);
    await waitFor(`${campaignId} cancelled`, async () => {
      const current = await detail(campaignId);
      return current.workflow?.status === 'COMPLETED' && current.campaign.phase === 'cancelled'
        ? true
        : undefined;
    });
  }

  /**
   * True when the campaign's workflow has nothing under way — no activity, timer or workflow
   * task — so nothing more happens until someone signals or updates it.
   */
  async function waitsForAPerson(campaignId: string): Promise<boolean> {
    const history = await env.client.workflow
      .getHandle(campaignWorkflowId(campaignId))
      .fetchHistory();
    const events = history.events ?? [];
    const pending = new Set<string>();
    for (const event of events) {
      switch (event.eventType) {
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          pending.add(`activity:${String(event.eventId)}`);
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
          const attributes =
            event.activityTaskCompletedEventAttributes ??
            event.activityTaskFailedEventAttributes ??
            event.activityTaskTimedOutEventAttributes ??
            event.activityTaskCanceledEventAttributes;
          pending.delete(`activity:${String(attributes?.scheduledEventId)}`);
          break;
        }
        case EventType.EVENT_TYPE_TIMER_STARTED:
          pending.add(`timer:${event.timerStartedEventAttributes?.timerId}`);
          break;
        case EventType.EVENT_TYPE_TIMER_FIRED:
          pending.delete(`timer:${event.timerFiredEventAttributes?.timerId}`);
          break;
        case EventType.EVENT_TYPE_TIMER_CANCELED:
          pending.delete(`timer:${event.timerCanceledEventAttributes?.timerId}`);
          break;
        default:
      }
    }
    return (
      pending.size === 0 &&
      events.at(-1)?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    );
  }

  function dmsTo(people: Participant[]) {
    const ids = new Set(people.map((p) => p.id));
    return emulator.sent().dms.filter((dm) => ids.has(dm.recipientId));
  }

  function refusedAudit(campaignId: string, action: string) {
    return testDb.db
      .selectFrom('audit_log')
      .select(['actor', 'subject', 'outcome', 'details'])
      .where('campaign_id', '=', campaignId)
      .where('action', '=', action)
      .where('outcome', '=', 'refused')
      .orderBy('id')
      .execute();
  }

  describe('POST /v1/campaigns/:id/approve', () => {
    it('refuses the author with 403 author_cannot_approve and records it, then an approver approves and the approval intervention names who and when', async () => {
      // Admins may both write and approve campaigns: the only caller who can reach this refusal.
      const { campaignId } = await launch(approvalPeople, { author: 'admin' });

      const byAuthor = await post(`/v1/campaigns/${campaignId}/approve`, 'admin');
      assert.equal(byAuthor.statusCode, 403, byAuthor.body);
      const refusal = byAuthor.json<ErrorBody>();
      assert.equal(refusal.code, 'author_cannot_approve');
      assert.equal(refusal.details?.phase, 'awaiting_approval');

      const stillWaiting = await detail(campaignId);
      assert.equal(stillWaiting.workflow?.state?.phase, 'awaiting_approval');
      assert.equal(stillWaiting.workflow?.state?.approvedBy, null);
      const [approvalOpen, ...othersOpen] = await interventionsOf(campaignId, 'open');
      assert.equal(approvalOpen?.kind, 'approval');
      assert.deepEqual(othersOpen, []);

      const audit = await refusedAudit(campaignId, 'campaign.approve');
      assert.deepEqual(
        audit.map((a) => [a.actor, (a.details as { code?: string } | null)?.code]),
        [['admin', 'author_cannot_approve']],
      );

      const approvedAfter = Date.now();
      const byApprover = await post(`/v1/campaigns/${campaignId}/approve`, 'approver');
      assert.equal(byApprover.statusCode, 200, byApprover.body);
      assert.deepEqual(byApprover.json(), { approvedBy: 'approver' });

      const approval = await waitFor('the approval resolved', async () => {
        const found = (await interventionsOf(campaignId)).find((i) => i.id === approvalOpen.id);
        return found?.status === 'resolved' ? found : undefined;
      });
      assert.equal(approval.resolution, 'approved');
      assert.equal(approval.resolvedBy, 'approver');
      assert.ok(approval.resolvedAt, 'the resolution carries its time');
      const resolvedAt = Date.parse(approval.resolvedAt);
      assert.ok(resolvedAt >= approvedAfter, `${approval.resolvedAt} is after the approval`);
      assert.ok(resolvedAt >= Date.parse(approval.openedAt));

      await cancel(campaignId);
    });
  });

  describe('PUT /v1/campaigns/:id/config', () => {
    /** The stored configuration with a new win DM and prize name: a change that needs approval. */
    function withChangedTemplateAndPrize(config: CampaignConfig): CampaignConfig {
      const changed = structuredClone(config);
      changed.templates.win.dm = `{name}さん、当選です！${CHANGED_MARK}{prize}をお送りします。詳細: {resultUrl}`;
      changed.prizes = changed.prizes.map((prize) => ({ ...prize, name: `${prize.name}（増量）` }));
      return changed;
    }

    it('sends an approved campaign back to awaiting_approval for a second round, refuses the author, sends nothing until an approver approves, then completes with the changed template', async () => {
      const { campaignId } = await launch(reapprovalPeople, { author: 'admin' });
      // Paused, the approved campaign stops in delivering with every win still queued.
      const paused = await post(`/v1/campaigns/${campaignId}/pause`, 'operator');
      assert.equal(paused.statusCode, 202, paused.body);
      await approve(campaignId);
      await waitForPhase(campaignId, 'delivering');
      await waitFor('the paused workflow waiting for a person', async () =>
        (await waitsForAPerson(campaignId)) ? true : undefined,
      );
      assert.deepEqual(dmsTo(reapprovalPeople), []);

      const before = await storedConfig(campaignId);
      const changed = withChangedTemplateAndPrize(before.config);
      const response = await put(`/v1/campaigns/${campaignId}/config`, 'operator', {
        config: changed,
      });
      assert.equal(response.statusCode, 200, response.body);
      const answer = response.json<{
        campaign: CampaignDetail['campaign'] & { config: unknown };
        approvalRequired: boolean;
      }>();
      assert.equal(answer.approvalRequired, true);
      assert.deepEqual(answer.campaign.config, changed);
      const after = await storedConfig(campaignId);
      assert.deepEqual(after.config, changed);
      assert.equal(after.version, before.version + 1);
      // Stored, not approved: sending stays pinned to the version the first approval signed off.
      assert.deepEqual(
        [answer.campaign.configVersion, answer.campaign.approvedConfigVersion],
        [after.version, before.version],
      );

      const waiting = await waitForPhase(campaignId, 'awaiting_approval');
      assert.equal(waiting.workflow?.state?.approvedBy, null);
      assert.equal((await workflowStatus(campaignId)).approvalRound, 2);
      assert.equal(
        waiting.workflow?.state?.approvalRound,
        2,
        'GET /v1/campaigns/:id shows the round',
      );
      const [roundTwo, ...othersOpen] = await interventionsOf(campaignId, 'open');
      assert.deepEqual(
        [roundTwo?.kind, roundTwo?.openedBy, roundTwo?.details.configVersion],
        ['approval', 'operator', after.version],
      );
      assert.deepEqual(othersOpen, []);

      // Resumed, the campaign still waits: the change holds sending back, not the pause.
      const resumed = await post(`/v1/campaigns/${campaignId}/resume`, 'operator');
      assert.equal(resumed.statusCode, 202, resumed.body);
      await waitFor('the resumed workflow waiting for the approval', async () => {
        const state = (await detail(campaignId)).workflow?.state;
        return state?.paused === false && (await waitsForAPerson(campaignId)) ? true : undefined;
      });
      assert.deepEqual(dmsTo(reapprovalPeople), [], 'nothing sent before the new approval');

      const byAuthor = await post(`/v1/campaigns/${campaignId}/approve`, 'admin');
      assert.equal(byAuthor.statusCode, 403, byAuthor.body);
      const refusal = byAuthor.json<ErrorBody>();
      assert.equal(refusal.code, 'author_cannot_approve');
      assert.equal(refusal.details?.phase, 'awaiting_approval');
      const stillWaiting = await workflowStatus(campaignId);
      assert.deepEqual(
        [stillWaiting.phase, stillWaiting.approvedBy, stillWaiting.approvalRound],
        ['awaiting_approval', null, 2],
      );
      assert.equal(await waitsForAPerson(campaignId), true);
      assert.deepEqual(dmsTo(reapprovalPeople), [], 'nothing sent after the refused approval');

      const byApprover = await post(`/v1/campaigns/${campaignId}/approve`, 'approver');
      assert.equal(byApprover.statusCode, 200, byApprover.body);
      assert.deepEqual(byApprover.json(), { approvedBy: 'approver' });
      await waitForCompletion(campaignId);

      const sent = dmsTo(reapprovalPeople);
      assert.deepEqual(
        sent.map((dm) => dm.recipientId).sort(),
        reapprovalPeople.map((p) => p.id).sort(),
        'every winner got one DM',
      );
      const newPrizeName = changed.prizes[0]?.name ?? '';
      for (const dm of sent) {
        assert.ok(dm.text.includes(CHANGED_MARK), `the approved template went out: ${dm.text}`);
        assert.ok(dm.text.includes(newPrizeName), `the changed prize went out: ${dm.text}`);
      }
      const approvals = (await interventionsOf(campaignId)).filter((i) => i.kind === 'approval');
      assert.deepEqual(
        approvals.map((i) => [i.status, i.resolution, i.resolvedBy]),
        [
          ['resolved', 'approved', 'approver'],
          ['resolved', 'approved', 'approver'],
        ],
      );
      assert.ok(approvals.some((i) => i.id === roundTwo?.id));
      assert.equal((await detail(campaignId)).campaign.approvedConfigVersion, after.version);
    });

    it('refuses a change of kind, sender account or campaign post with 400 config_field_fixed naming the field, storing nothing', async () => {
      const { campaignId } = await launch(fixedFieldPeople, { author: 'operator' });
      const before = await storedConfig(campaignId);
      if (before.config.kind !== 'drawn') throw new Error('launch stores a drawn campaign');
      const { draw: _draw, ...common } = before.config;
      const otherAccount = await seedLinkedAccount(testDb.db);
      const attempts: [string, CampaignConfig][] = [
        [
          'kind',
          {
            ...common,
            kind: 'instant_win',
            prizes: common.prizes.map((prize) => ({ ...prize, odds: 0.5 })),
          },
        ],
        ['accountId', { ...before.config, accountId: otherAccount }],
        ['post', { ...before.config, post: { tweetId: '1860000000000000999' } }],
      ];
      for (const [field, config] of attempts) {
        const response = await put(`/v1/campaigns/${campaignId}/config`, 'operator', { config });
        assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
        const body = response.json<FieldErrorBody>();
        assert.equal(body.code, 'config_field_fixed');
        assert.deepEqual(
          body.details.map((d) => d.path),
          [`body.config.${field}`],
        );
        assert.match(body.message, new RegExp(field));
      }

      const after = await storedConfig(campaignId);
      assert.deepEqual(after, before);
      const state = await workflowStatus(campaignId);
      assert.deepEqual([state.phase, state.approvalRound], ['awaiting_approval', 1]);
      await cancel(campaignId);
    });

    it('answers 400 validation_failed naming each invalid field, storing nothing', async () => {
      const { campaignId } = await launch(invalidConfigPeople, { author: 'operator' });
      const before = await storedConfig(campaignId);
      const startAt = Date.parse(before.config.schedule.startAt);
      const invalid = {
        ...before.config,
        name: ' ',
        schedule: { ...before.config.schedule, endAt: new Date(startAt - 60_000).toISOString() },
      };
      const response = await put(`/v1/campaigns/${campaignId}/config`, 'operator', {
        config: invalid,
      });
      assert.equal(response.statusCode, 400, response.body);
      const body = response.json<FieldErrorBody>();
      assert.equal(body.code, 'validation_failed');
      const paths = body.details.map((d) => d.path);
      assert.ok(paths.includes('body.config.name'), paths.join(', '));
      assert.ok(paths.includes('body.config.schedule.endAt'), paths.join(', '));

      assert.deepEqual(await storedConfig(campaignId), before);
      const state = await workflowStatus(campaignId);
      assert.deepEqual([state.phase, state.approvalRound], ['awaiting_approval', 1]);
      await cancel(campaignId);
    });

    it('answers 409 invalid_in_phase naming the completed phase once the campaign has ended, storing nothing', async () => {
      const { campaignId } = await launch(endedConfigPeople, { author: 'operator' });
      await approve(campaignId);
      await waitForCompletion(campaignId);
      const before = await storedConfig(campaignId);

      const response = await put(`/v1/campaigns/${campaignId}/config`, 'operator', {
        config: withChangedTemplateAndPrize(before.config),
      });
      assert.equal(response.statusCode, 409, response.body);
      const body = response.json<ErrorBody>();
      assert.equal(body.code, 'invalid_in_phase');
      assert.equal(body.details?.phase, 'completed');
      assert.match(body.message, /completed/);

      assert.deepEqual(await storedConfig(campaignId), before);
      const after = await detail(campaignId);
      assert.equal(after.campaign.phase, 'completed');
      assert.equal((await workflowStatus(campaignId)).approvalRound, 1);
      const open = await interventionsOf(campaignId, 'open');
      assert.deepEqual(open, []);
    });
  });

  describe('POST /v1/campaigns/:id/pause', () => {
    it('answers 409 campaign_closed naming the completed phase once the campaign has ended, pausing nothing', async () => {
      const { campaignId } = await launch(endedPausePeople, { author: 'operator' });
      await approve(campaignId);
      await waitForCompletion(campaignId);

      const response = await post(`/v1/campaigns/${campaignId}/pause`, 'operator', {
        reason: 'too late',
      });
      assert.equal(response.statusCode, 409, response.body);
      const body = response.json<ErrorBody>();
      assert.equal(body.code, 'campaign_closed');
      assert.equal(body.details?.phase, 'completed');

      const after = await detail(campaignId);
      assert.deepEqual(
        [after.campaign.phase, after.campaign.paused, after.workflow?.state?.paused],
        ['completed', false, false],
      );
    });
  });

  describe('POST /v1/campaigns/:id/interventions/:interventionId/resolve', () => {
    it('answers 409 with the workflow’s code and the current phase for a resolution the kind does not take or an unknown intervention, changing nothing', async () => {
      const { campaignId } = await launch(refusalPeople, { author: 'operator' });
      const before = await interventionsOf(campaignId);
      const approval = before.find((i) => i.kind === 'approval' && i.status === 'open');
      assert.ok(approval, 'the approval waits as an open intervention');
      assert.deepEqual(approval.resolutions, ['approved', 'cancel']);

      const wrongResolution = await post(
        `/v1/campaigns/${campaignId}/interventions/${approval.id}/resolve`,
        'operator',
        { resolution: 'resume' },
      );
      assert.equal(wrongResolution.statusCode, 409, wrongResolution.body);
      const wrong = wrongResolution.json<ErrorBody>();
      assert.equal(wrong.code, 'resolution_not_allowed');
      assert.equal(wrong.details?.phase, 'awaiting_approval');
      assert.match(wrong.message, /resume/);

      const unknown = await post(
        `/v1/campaigns/${campaignId}/interventions/int-000000000000/resolve`,
        'operator',
        { resolution: 'cancel' },
      );
      assert.equal(unknown.statusCode, 409, unknown.body);
      const unknownBody = unknown.json<ErrorBody>();
      assert.equal(unknownBody.code, 'intervention_not_open');
      assert.equal(unknownBody.details?.phase, 'awaiting_approval');

      assert.deepEqual(await interventionsOf(campaignId), before);
      const state = (await detail(campaignId)).workflow?.state;
      assert.equal(state?.phase, 'awaiting_approval');
      assert.equal(state?.approvedBy, null);
      assert.equal(state?.cancelledBy, null);
      const audit = await refusedAudit(campaignId, 'intervention.resolve');
      assert.deepEqual(
        audit.map((a) => [a.actor, a.subject, (a.details as { code?: string } | null)?.code]),
        [
          ['operator', approval.id, 'resolution_not_allowed'],
          ['operator', 'int-000000000000', 'intervention_not_open'],
        ],
      );

      await cancel(campaignId);
      const [cancelled] = await interventionsOf(campaignId);
      assert.deepEqual(
        [cancelled?.status, cancelled?.resolution, cancelled?.resolvedBy],
        ['resolved', 'cancel', 'operator'],
      );
    });
  });

  describe('POST /v1/campaigns/:id/misdelivery', () => {
    it('stops sending, refuses the follow-up from an operator and from the reporter, and sends it after another approver approves only to those who got the wrong message', async () => {
      // A one-second gap between sends leaves time to report while sending is under way.
      const { campaignId } = await launch(misdeliveryPeople, {
        author: 'operator',
        overrides: { pacing: { minGapSeconds: 1, jitterSeconds: 0 } },
      });
      await approve(campaignId);
      await waitFor('two wins sent', () =>
        Promise.resolve(dmsTo(misdeliveryPeople).length >= 2 ? true : undefined),
      );

      const reported = await post(`/v1/campaigns/${campaignId}/misdelivery`, 'approver', {
        reason: 'wrong prize name in the win DM',
        followUpText: `{name}さん、先ほどのDMの賞品名に誤りがありました。${FOLLOW_UP_MARK}してお詫びします。`,
      });
      assert.equal(reported.statusCode, 201, reported.body);
      const { intervention: stop } = reported.json<{ intervention: InterventionBody }>();
      assert.deepEqual(
        [stop.kind, stop.status, stop.blocks, stop.openedBy],
        ['misdelivery', 'open', 'sending', 'approver'],
      );

      // Once the workflow waits with nothing scheduled, only a person can move it on.
      await waitFor('the workflow waiting for a person', async () =>
        (await waitsForAPerson(campaignId)) ? true : undefined,
      );
      const wrongMessages = dmsTo(misdeliveryPeople);
      assert.ok(
        wrongMessages.length < misdeliveryPeople.length,
        `sending stopped: ${wrongMessages.length} of ${misdeliveryPeople.length} sent`,
      );

      const resolveUrl = `/v1/campaigns/${campaignId}/interventions/${stop.id}/resolve`;
      const byOperator = await post(resolveUrl, 'operator', { resolution: 'send_follow_up' });
      assert.equal(byOperator.statusCode, 403, byOperator.body);
      assert.equal(byOperator.json<ErrorBody>().code, 'forbidden');

      const byReporter = await post(resolveUrl, 'approver', { resolution: 'send_follow_up' });
      assert.equal(byReporter.statusCode, 403, byReporter.body);
      const reporterRefusal = byReporter.json<ErrorBody>();
      assert.equal(reporterRefusal.code, 'reporter_cannot_approve');
      assert.equal(reporterRefusal.details?.phase, 'delivering');

      assert.equal(dmsTo(misdeliveryPeople).length, wrongMessages.length, 'still stopped');
      assert.equal(await waitsForAPerson(campaignId), true);
      const resolved = await post(resolveUrl, 'approver2', {
        resolution: 'send_follow_up',
        note: 'prize name fixed',
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      const answer = resolved.json<{ intervention: InterventionBody; queued: number }>();
      assert.equal(answer.queued, wrongMessages.length);
      assert.deepEqual(
        [
          answer.intervention.status,
          answer.intervention.resolution,
          answer.intervention.resolvedBy,
        ],
        ['resolved', 'send_follow_up', 'approver2'],
      );

      await waitForCompletion(campaignId);
      const sent = dmsTo(misdeliveryPeople);
      const followUps = sent.filter((dm) => dm.text.includes(FOLLOW_UP_MARK));
      assert.deepEqual(
        followUps.map((dm) => dm.recipientId).sort(),
        wrongMessages.map((dm) => dm.recipientId).sort(),
        'the follow-up reached exactly the recipients of the wrong message, once each',
      );
      const wins = sent.filter((dm) => !dm.text.includes(FOLLOW_UP_MARK));
      assert.deepEqual(
        wins.map((dm) => dm.recipientId).sort(),
        misdeliveryPeople.map((p) => p.id).sort(),
        'every winner got one win DM',
      );
    });
  });

  describe('POST /v1/campaigns/:id/deliveries/:deliveryId/resend', () => {
    it('sends one extra DM however often and however concurrently resend is pressed', async () => {
      // Two sends and the share of failures stops sending for a person: the campaign waits
      // while the presses come in, and again right after the resent DM went out.
      const { campaignId } = await launch([closedFirst, openFirst, closedSecond, openSecond], {
        author: 'operator',
        overrides: {
          safety: { errorRateThreshold: 0.5, errorRateWindow: 2, errorRateMinAttempts: 2 },
        },
      });
      await approve(campaignId);
      const firstStop = await waitForOpen(campaignId, 'error_rate');

      const failed = await deliveriesOf(campaignId, 'failed');
      assert.deepEqual(
        failed.map((d) => [d.xUserId, d.kind, d.errorCategory]),
        [[closedFirst.id, 'win', 'recipient_unreachable']],
      );
      const deliveryId = failed[0]!.id;
      const resendUrl = `/v1/campaigns/${campaignId}/deliveries/${encodeURIComponent(deliveryId)}/resend`;

      // The participant opens their DMs on X.
      applyAction(emulator, {
        type: 'update_user',
        user: closedFirst.id,
        patch: { dmSetting: 'everyone' },
      });
      const presses = await Promise.all([post(resendUrl, 'operator'), post(resendUrl, 'operator')]);
      for (const press of presses) assert.equal(press.statusCode, 200, press.body);
      const answers = presses.map((press) => press.json<ResendBody>());
      assert.deepEqual(answers.flatMap((a) => a.results.map((r) => [r.id, r.outcome])).sort(), [
        [deliveryId, 'already_pending'],
        [deliveryId, 'queued'],
      ]);
      assert.deepEqual(answers.map((a) => a.queued).sort(), [0, 1]);

      const whilePending = await post(resendUrl, 'operator');
      assert.equal(whilePending.statusCode, 200, whilePending.body);
      assert.deepEqual(whilePending.json<ResendBody>(), {
        queued: 0,
        results: [{ id: deliveryId, outcome: 'already_pending' }],
      });

      const resumed = await post(`/v1/campaigns/${campaignId}/resume`, 'operator');
      assert.equal(resumed.statusCode, 202, resumed.body);
      const secondStop = await waitForOpen(campaignId, 'error_rate', [firstStop.id]);
      const resent = (await deliveriesOf(campaignId, 'sent')).find((d) => d.id === deliveryId);
      assert.ok(resent, 'the resend went out before sending stopped again');

      const afterSent = await post(resendUrl, 'operator');
      assert.equal(afterSent.statusCode, 200, afterSent.body);
      assert.deepEqual(afterSent.json<ResendBody>(), {
        queued: 0,
        results: [{ id: deliveryId, outcome: 'already_sent' }],
      });

      const goOn = await post(
        `/v1/campaigns/${campaignId}/interventions/${secondStop.id}/resolve`,
        'operator',
        { resolution: 'resume' },
      );
      assert.equal(goOn.statusCode, 200, goOn.body);
      await waitForCompletion(campaignId);

      assert.equal(dmsTo([closedFirst]).length, 1, 'one DM however often resend was pressed');
      assert.equal(dmsTo([openFirst]).length, 1);
      assert.equal(dmsTo([openSecond]).length, 1);
      assert.equal(dmsTo([closedSecond]).length, 0);
      const stops = await interventionsOf(campaignId);
      assert.deepEqual(
        stops.filter((i) => i.kind === 'error_rate').map((i) => [i.resolution, i.resolvedBy]),
        [
          ['resume', 'operator'],
          ['resume', 'operator'],
        ],
      );
    });

    it('answers 409 campaign_closed naming the completed phase once the campaign has ended, sending nothing', async () => {
      const { campaignId } = await launch([closedLate, openLate], { author: 'operator' });
      await approve(campaignId);
      await waitForCompletion(campaignId);
      const [failed, ...more] = await deliveriesOf(campaignId, 'failed');
      assert.equal(failed?.xUserId, closedLate.id);
      assert.deepEqual(more, []);

      applyAction(emulator, {
        type: 'update_user',
        user: closedLate.id,
        patch: { dmSetting: 'everyone' },
      });
      const response = await post(
        `/v1/campaigns/${campaignId}/deliveries/${encodeURIComponent(failed.id)}/resend`,
        'operator',
      );
      assert.equal(response.statusCode, 409, response.body);
      const body = response.json<ErrorBody>();
      assert.equal(body.code, 'campaign_closed');
      assert.equal(body.details?.phase, 'completed');

      const after = (await deliveriesOf(campaignId)).find((d) => d.id === failed.id);
      assert.equal(after?.state, 'failed', 'the delivery was not requeued');
      assert.equal(dmsTo([closedLate]).length, 0);
    });
  });

  describe('POST /v1/accounts/:id/resume', () => {
    it('clears a 226 halt and the campaign goes on to DM every winner exactly once', async () => {
      const { accountId, campaignId } = await launch(haltPeople, { author: 'operator' });
      // X answers the second DM with 226 ("looks automated").
      emulator.injectFault({
        endpoint: 'dm.send',
        user: DEMO_SENDER_USERNAME,
        sequence: ['pass', 'automated'],
      });
      await approve(campaignId);
      const stop = await waitForOpen(campaignId, 'sender_halted');

      const flagged = xErrorCatalog.sender_automation_flagged;
      const inWords = {
        code: 'sender_automation_flagged',
        category: 'sender_restricted',
        reason: flagged.reason,
        remedy: flagged.remedy,
      };
      assert.deepEqual(stop.error, inWords, 'the stop names the 226 in words');
      const halted = await get<{
        account: { halt: { code: string; category: string; campaignId: string | null } | null };
      }>(`/v1/accounts/${accountId}`);
      assert.deepEqual(halted.account.halt, {
        code: 'sender_automation_flagged',
        category: 'sender_restricted',
        campaignId,
        error: inWords,
      });
      assert.equal((await detail(campaignId)).workflow?.state?.needsAttention, true);
      assert.equal(dmsTo(haltPeople).length, 1, 'nothing went out after the 226');

      const resumed = await post(`/v1/accounts/${accountId}/resume`, 'operator', {
        note: 'unlocked on X',
      });
      assert.equal(resumed.statusCode, 200, resumed.body);
      const answer = resumed.json<{
        account: { halt: unknown; haltedAt: string | null };
        wasHalted: boolean;
        resumedCampaigns: string[];
        failedCampaigns: unknown[];
      }>();
      assert.equal(answer.wasHalted, true);
      assert.equal(answer.account.halt, null);
      assert.equal(answer.account.haltedAt, null);
      assert.deepEqual(answer.resumedCampaigns, [campaignId]);
      assert.deepEqual(answer.failedCampaigns, []);

      await waitForCompletion(campaignId);
      assert.deepEqual(
        dmsTo(haltPeople)
          .map((dm) => dm.recipientId)
          .sort(),
        haltPeople.map((p) => p.id).sort(),
        'every winner DMed exactly once',
      );
      const resolved = (await interventionsOf(campaignId)).find((i) => i.id === stop.id);
      assert.deepEqual(
        [resolved?.status, resolved?.resolution, resolved?.resolvedBy],
        ['resolved', 'resume', 'operator'],
      );
      const account = await get<{ account: { halt: unknown } }>(`/v1/accounts/${accountId}`);
      assert.equal(account.account.halt, null);
    });
  });
});
