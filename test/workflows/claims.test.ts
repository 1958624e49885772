/**
 * Claims on the time-skipping server (docs/claims.md): winners claim before a deadline, an
 * unclaimed prize goes to the next alternate in draw order with a deadline of their own, and the
 * claim answers are purged after the retention period by a child workflow.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sealClaimAnswers } from '../../api/claim-answers';
import type { Activities } from '../../activities';
import { listAuditEntries } from '../../db/repositories/audit-log';
import {
  findClaim,
  insertClaims,
  listClaimsForOperators,
  listPromotions,
  submitClaim,
} from '../../db/repositories/claims';
import { listDeliveries } from '../../db/repositories/deliveries';
import { findDraw, type StoredDraw } from '../../db/repositories/draws';
import { findEntry } from '../../db/repositories/entries';
import { openIntervention } from '../../db/repositories/interventions';
import { findReport } from '../../db/repositories/reports';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { startXEmulator, type XEmulator } from '../../emulator';
import { campaignV2, type purgeClaimData } from '../../workflows';
import { claimPurgeWorkflowId } from '../../workflows/campaign/claim-purge';
import type { CampaignRunInput } from '../../workflows/campaign/state';
import {
  approveSignal,
  type CampaignStatus,
  cancelSignal,
  claimReceivedSignal,
  interventionOpenedSignal,
  statusQuery,
} from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedApprovers, testCredentialsKey } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  stepPastDueTimers,
  testActivities,
  testWorker,
  workflowBundle,
} from '../support/temporal';

const SCENARIO_DEADLINE_MS = 300_000;
const HOUR_MS = 60 * 60 * 1000;

describe('campaign workflow claims', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let queue = 0;
  const started: string[] = [];

  before(async () => {
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
    await seedApprovers(testDb.db);
  });
  // A server of its own per test: a scenario skips its clock by days (deadlines, the purge),
  // far past X's (the emulator's wall) clock, which the next campaign's collection relies on.
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  });
  afterEach(async () => {
    await env?.teardown();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  async function runWorker<T>(
    work: () => Promise<T>,
    interpose: (real: Activities) => Activities = (real) => real,
  ): Promise<T> {
    queue += 1;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: `claims-${queue}`,
      activities: interpose(
        testActivities({
          db: testDb.db,
          credentialsKey: testCredentialsKey,
          xApiBaseUrl: emulator.url,
          publicBaseUrl: 'http://kuji.test',
          x: { requestTimeoutMs: 150 },
        }),
      ),
      workflowBundle: await workflowBundle(),
    });
    const first = started.length;
    return runScenario(
      worker,
      {
        deadlineMs: SCENARIO_DEADLINE_MS,
        handles: () => started.slice(first).map((id) => env.client.workflow.getHandle(id)),
        env,
      },
      work,
    );
  }

  /** A drawn DM-keyword campaign with claims: 72 hours to claim, the name asked for. */
  async function seedClaimsCampaign(
    people: ReturnType<typeof participants>,
    draw: { winners: number; alternates: number },
    withClaim = true,
    dmDailyCap?: number,
  ) {
    const accountId = await seedLinkedAccount(testDb.db, dmDailyCap ? { dmDailyCap } : {});
    // The server's clock, not the wall's: an earlier test skipped it days ahead.
    const now = new Date(await env.currentTimeMs());
    const base = dmKeywordDrawConfig(accountId, now, { winners: draw.winners });
    const config: CampaignConfigInput = {
      ...base,
      kind: 'drawn',
      schedule: {
        ...base.schedule,
        // X dates entries by its own (wall) clock, which a skipped server clock has left behind:
        // the period opens before X's now too.
        startAt: new Date(Math.min(now.getTime(), Date.now()) - 60_000).toISOString(),
        claimDeadlineHours: 72,
      },
      draw,
      ...(withClaim ? { claim: { fields: ['name' as const], retentionDays: 30 } } : {}),
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
    return { campaign, accountId };
  }

  async function startApproved(
    campaignId: string,
    accountId: string,
    options?: CampaignRunInput['options'],
  ) {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: `claims-${queue}`,
      args: [{ campaignId, accountId, author: 'alice', ...(options ? { options } : {}) }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    started.push(handle.workflowId, claimPurgeWorkflowId(campaignId));
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
      if (i >= 3000) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
      await env.sleep('100 milliseconds');
    }
    await handle.signal(approveSignal, { by: 'bob' });
    return handle;
  }

  /** Moves the server's clock a minute at a time through collection until the draw is stored. */
  async function untilDrawn(campaignId: string): Promise<StoredDraw> {
    for (let i = 0; i < 60; i += 1) {
      const draw = await findDraw(testDb.db, campaignId);
      if (draw) return draw;
      await env.sleep('1 minute');
    }
    throw new Error(`campaign ${campaignId} was never drawn`);
  }

  /** The winners' claims are opened in the draw's transaction; wait until it committed. */
  async function claimOf(campaignId: string, xUserId: string) {
    for (let i = 0; i < 100; i += 1) {
      const claim = await findClaim(testDb.db, campaignId, xUserId);
      if (claim) return claim;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no claim of ${xUserId} in ${campaignId}`);
  }

  /** Polls the status (the server's clock a minute on each time) until `ready` holds. */
  async function untilStatus(
    handle: WorkflowHandle<typeof campaignV2>,
    ready: (status: CampaignStatus) => boolean,
    what: string,
    step: () => Promise<void> = () => env.sleep('1 minute'),
  ): Promise<CampaignStatus> {
    for (let i = 0; i < 60; i += 1) {
      const status = await handle.query(statusQuery);
      if (ready(status)) return status;
      await step();
    }
    throw new Error(
      `${handle.workflowId}: never ${what}: ${JSON.stringify(await handle.query(statusQuery))}`,
    );
  }

  async function claimNow(campaignId: string, xUserId: string) {
    await claimOf(campaignId, xUserId);
    const claimed = await submitClaim(testDb.db, {
      campaignId,
      xUserId,
      sealedAnswers: sealClaimAnswers(
        testCredentialsKey,
        { campaignId, xUserId },
        { name: 'Kuji' },
      ),
      now: new Date(await env.currentTimeMs()),
    });
    assert.equal(claimed.ok, true);
  }

  async function nudge(handle: WorkflowHandle<typeof campaignV2>) {
    await stepPastDueTimers(env, handle);
    await handle.signal(claimReceivedSignal);
  }

  it('ends the claiming phase as soon as every winner has claimed', async () => {
    const people = participants(4, 'quick');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 1,
    });

    const { result, draw, endedAtMs, deadlineMs, status } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      const draw = await untilDrawn(campaign.id);
      let deadlineMs = 0;
      for (const xUserId of draw.winners) {
        const claim = await claimOf(campaign.id, xUserId);
        deadlineMs = claim.deadlineAt.getTime();
        const claimed = await submitClaim(testDb.db, {
          campaignId: campaign.id,
          xUserId,
          sealedAnswers: sealClaimAnswers(
            testCredentialsKey,
            { campaignId: campaign.id, xUserId },
            { name: 'Kuji Fan' },
          ),
          now: new Date(await env.currentTimeMs()),
        });
        assert.equal(claimed.ok, true);
      }
      await nudge(handle);
      const result = await handle.result();
      const status = await handle.query(statusQuery);
      // The workflow's own close time: the server's clock may skip on to the purge's timer.
      const endedAtMs = (await handle.describe()).closeTime?.getTime() ?? Infinity;
      return { result, draw, endedAtMs, deadlineMs, status };
    });

    assert.equal(result.outcome, 'completed');
    assert.ok(endedAtMs < deadlineMs, 'the campaign did not wait for the deadline');
    assert.deepEqual(status.claims, {
      open: 0,
      claimed: 2,
      forfeited: 0,
      promoted: 0,
      nextDeadlineAt: null,
    });
    const alternate = draw.alternates[0]!;
    assert.equal((await findEntry(testDb.db, campaign.id, alternate))?.outcome, 'alternate');
    assert.equal(await findClaim(testDb.db, campaign.id, alternate), undefined);
    const stored = (await findReport(testDb.db, campaign.id))?.report as { claims: unknown };
    assert.deepEqual(stored.claims, { claimed: 2, forfeited: 0, promoted: 0, open: 0 });
  });

  it('promotes alternates in draw order at each missed deadline until none is left, and keeps a claim made just in time', async () => {
    const people = participants(6, 'claimer');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 2,
    });

    const { result, draw, purge } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      const draw = await untilDrawn(campaign.id);
      const firstWinner = await claimOf(campaign.id, draw.winners[0]!);
      // The claim lands a second before the deadline: the deadline's forfeit must not take it.
      const claimed = await submitClaim(testDb.db, {
        campaignId: campaign.id,
        xUserId: firstWinner.xUserId,
        sealedAnswers: sealClaimAnswers(
          testCredentialsKey,
          { campaignId: campaign.id, xUserId: firstWinner.xUserId },
          { name: '山田 花子' },
        ),
        now: new Date(firstWinner.deadlineAt.getTime() - 1000),
      });
      assert.equal(claimed.ok, true);
      await nudge(handle);
      const result = await handle.result();
      // The purge outlives the campaign; its timer is skipped here (30 days after the end).
      const purge = await env.client.workflow
        .getHandle<typeof purgeClaimData>(claimPurgeWorkflowId(campaign.id))
        .result();
      return { result, draw, purge };
    });

    assert.equal(result.outcome, 'completed');
    const [w1, w2] = draw.winners as [string, string];
    const [a1, a2] = draw.alternates as [string, string];
    const claims = new Map(
      (await listClaimsForOperators(testDb.db, campaign.id)).map((c) => [c.xUserId, c]),
    );
    assert.deepEqual(
      [w1, w2, a1, a2].map((id) => [claims.get(id)?.state, claims.get(id)?.replacesXUserId]),
      [
        ['claimed', null],
        ['forfeited', null],
        ['forfeited', w2],
        ['forfeited', a1],
      ],
    );
    assert.equal(claims.size, 4, 'nobody but the winners and the two alternates got a prize');
    // The first alternate's prize opened when the second winner's deadline passed, with the
    // full 72 hours of their own; the second alternate's when the first one's passed.
    const second = claims.get(w2)!;
    const promoted = claims.get(a1)!;
    assert.ok(promoted.openedAt.getTime() >= second.deadlineAt.getTime());
    assert.ok(promoted.openedAt.getTime() < second.deadlineAt.getTime() + HOUR_MS);
    assert.equal(promoted.deadlineAt.getTime() - promoted.openedAt.getTime(), 72 * HOUR_MS);
    assert.ok(claims.get(a2)!.openedAt.getTime() >= promoted.deadlineAt.getTime());
    assert.deepEqual(
      (await listPromotions(testDb.db, campaign.id)).map((p) => [p.xUserId, p.replacesXUserId]),
      [
        [a1, w2],
        [a2, a1],
      ],
    );

    // Each promoted alternate was told like a winner: a win DM, sent.
    const deliveries = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 50 });
    const wins = deliveries.filter((d) => d.kind === 'win');
    assert.deepEqual(
      new Set(wins.map((d) => `${d.xUserId}:${d.channel}:${d.state}`)),
      new Set([w1, w2, a1, a2].map((id) => `${id}:dm:sent`)),
    );
    const dmTo = new Set(emulator.sent().dms.map((dm) => dm.recipientId));
    assert.ok(dmTo.has(a1) && dmTo.has(a2));
    for (const id of [a1, a2]) {
      assert.equal((await findEntry(testDb.db, campaign.id, id))?.outcome, 'won');
    }

    const stored = (await findReport(testDb.db, campaign.id))?.report as {
      claims: { claimed: number; forfeited: number; promoted: number; open: number };
    };
    assert.deepEqual(stored.claims, { claimed: 1, forfeited: 3, promoted: 2, open: 0 });

    // Thirty days after the end the answers are gone (the rows stay), and the audit log says so.
    assert.deepEqual(purge, { purged: 4 });
    const purged = await listClaimsForOperators(testDb.db, campaign.id);
    assert.ok(purged.every((c) => c.sealedAnswers === null && c.dataPurgedAt !== null));
    const audit = await listAuditEntries(testDb.db, { campaignId: campaign.id, limit: 50 });
    assert.ok(audit.some((entry) => entry.action === 'claims.purge' && entry.actor === 'kuji'));
  });

  it('keeps claim deadlines running while a stop waits for a person, and closes the claims left open when cancelled', async () => {
    const people = participants(5, 'stopped');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 1,
    });

    const { draw, status, result, purge } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      const draw = await untilDrawn(campaign.id);
      const w1 = draw.winners[0]!;
      await untilStatus(handle, (s) => s.phase === 'claiming', 'in claiming');
      // A winner writes 「届いてない」: a stop for a person, opened while claims are open.
      const { intervention } = await openIntervention(testDb.db, {
        campaignId: campaign.id,
        accountId,
        kind: 'not_received',
        dedupeKey: `user:${w1}`,
        details: { xUserId: w1, deliveryId: `${campaign.id}:${w1}:win` },
        openedBy: `participant:${w1}`,
      });
      await handle.signal(interventionOpenedSignal, {
        interventionId: intervention.id,
        kind: 'not_received',
        openedBy: intervention.openedBy,
      });
      const deadlineMs = (await claimOf(campaign.id, w1)).deadlineAt.getTime();
      await env.sleep(deadlineMs - (await env.currentTimeMs()) + 60_000);
      const status = await untilStatus(
        handle,
        (s) => (s.claims?.promoted ?? 0) >= 1,
        'promoted an alternate past the deadline',
      );
      await handle.signal(cancelSignal, { by: 'alice' });
      const result = await handle.result();
      const purge = await env.client.workflow
        .getHandle(claimPurgeWorkflowId(campaign.id))
        .describe();
      return { draw, status, result, purge };
    });

    assert.ok(
      (status.interventions ?? []).some((i) => i.kind === 'not_received'),
      'the stop was still open when the deadline settled',
    );
    assert.deepEqual(
      [status.claims?.forfeited, status.claims?.promoted, status.claims?.open],
      [2, 1, 1],
    );
    assert.equal(result.outcome, 'cancelled');
    // The promoted alternate's claim closed with the campaign: nothing can be claimed after.
    const a1 = draw.alternates[0]!;
    const closed = await findClaim(testDb.db, campaign.id, a1);
    assert.equal(closed?.state, 'forfeited');
    assert.ok(draw.winners.includes(closed?.replacesXUserId ?? ''));
    assert.deepEqual(
      await submitClaim(testDb.db, {
        campaignId: campaign.id,
        xUserId: a1,
        sealedAnswers: null,
        now: new Date(await env.currentTimeMs()),
      }),
      { ok: false, reason: 'forfeited' },
    );
    const audit = await listAuditEntries(testDb.db, { campaignId: campaign.id, limit: 50 });
    const close = audit.find((entry) => entry.action === 'claims.close');
    assert.deepEqual(close?.details, { closed: 1, reason: 'campaign_cancelled' });
    assert.equal(purge.status.name, 'RUNNING', 'the answers are purged in time');
  });

  it('starts claiming with a stop still open from before the draw, and its deadlines run', async () => {
    const people = participants(5, 'earlystop');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 1,
    });

    const { status } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      // Opened while collecting and left open: it blocks nothing, so the draw and the results
      // go ahead, and it is still open when the results are all sent.
      const someone = people[0]!.id;
      const { intervention } = await openIntervention(testDb.db, {
        campaignId: campaign.id,
        accountId,
        kind: 'not_received',
        dedupeKey: `user:${someone}`,
        details: { xUserId: someone },
        openedBy: `participant:${someone}`,
      });
      await handle.signal(interventionOpenedSignal, {
        interventionId: intervention.id,
        kind: 'not_received',
        openedBy: intervention.openedBy,
      });
      const draw = await untilDrawn(campaign.id);
      await untilStatus(handle, (s) => s.phase === 'claiming', 'in claiming with the stop open');
      const deadlineMs = (await claimOf(campaign.id, draw.winners[0]!)).deadlineAt.getTime();
      await env.sleep(deadlineMs - (await env.currentTimeMs()) + 60_000);
      const status = await untilStatus(
        handle,
        (s) => (s.claims?.promoted ?? 0) >= 1,
        'promoted an alternate past the deadline',
      );
      await handle.signal(cancelSignal, { by: 'alice' });
      await handle.result();
      return { status };
    });
    assert.ok((status.interventions ?? []).some((i) => i.kind === 'not_received'));
    assert.deepEqual([status.claims?.forfeited, status.claims?.promoted], [2, 1]);
  });

  it('forfeits at its deadline the claim of a winner told days before the queue drains under the DM cap', async () => {
    const people = participants(5, 'capped');
    await emulator.loadScenario(worldScenario(people));
    // One DM a day: the fifth winner is told on day 5, after the first one's 72 hours ran out.
    const { campaign, accountId } = await seedClaimsCampaign(
      people,
      { winners: 5, alternates: 0 },
      true,
      1,
    );

    const { result } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      await untilDrawn(campaign.id);
      return { result: await handle.result() };
    });

    assert.equal(result.outcome, 'completed');
    const claims = await listClaimsForOperators(testDb.db, campaign.id);
    assert.equal(claims.length, 5);
    const first = claims.reduce((a, b) => (a.deadlineAt <= b.deadlineAt ? a : b));
    // The last winner's message was still queued at that deadline (one DM a day): their claim
    // was not forfeited with the others then, only once told.
    const lastForfeitMs = Math.max(...claims.map((c) => c.forfeitedAt?.getTime() ?? 0));
    assert.ok(lastForfeitMs > first.deadlineAt.getTime() + HOUR_MS, 'the queue drained later');
    // Forfeited at its deadline (the wait for the next day's cap woke for it), not once the
    // queue drained.
    assert.equal(first.state, 'forfeited');
    assert.ok(first.forfeitedAt, 'forfeited');
    assert.ok(
      first.forfeitedAt.getTime() < first.deadlineAt.getTime() + HOUR_MS,
      `forfeited at ${first.forfeitedAt.toISOString()}, deadline ${first.deadlineAt.toISOString()}`,
    );
  });

  it('starts the purge of a campaign that has claims even when its configuration no longer has a claim section', async () => {
    const people = participants(3, 'unsectioned');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(
      people,
      { winners: 1, alternates: 0 },
      false,
    );
    const { result, purge } = await runWorker(async () => {
      const handle = await env.client.workflow.start(campaignV2, {
        workflowId: campaignWorkflowId(campaign.id),
        taskQueue: `claims-${queue}`,
        args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
        typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
      });
      started.push(handle.workflowId, claimPurgeWorkflowId(campaign.id));
      await untilStatus(
        handle,
        (s) => s.phase === 'awaiting_approval',
        'awaiting approval',
        () => env.sleep('100 milliseconds'),
      );
      // Claims opened under an earlier configuration that had the section.
      const now = new Date(await env.currentTimeMs());
      await insertClaims(testDb.db, [
        {
          campaignId: campaign.id,
          xUserId: people[0]!.id,
          prizeId: null,
          openedAt: now,
          deadlineAt: new Date(now.getTime() + 72 * HOUR_MS),
        },
      ]);
      await handle.signal(cancelSignal, { by: 'alice' });
      const result = await handle.result();
      const purge = await env.client.workflow
        .getHandle(claimPurgeWorkflowId(campaign.id))
        .describe();
      return { result, purge };
    });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(purge.status.name, 'RUNNING');
    assert.equal((await findClaim(testDb.db, campaign.id, people[0]!.id))?.state, 'forfeited');
  });

  it('continues as new while claiming, and the new run goes on with the claims', async () => {
    const people = participants(3, 'longclaim');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 0,
    });

    const { result, continued, status } = await runWorker(async () => {
      // Temporal suggests continue-as-new on a long history; the test forces it after the two
      // win DMs, which drain the queue, so the suggestion is first looked at while claiming.
      const handle = await startApproved(campaign.id, accountId, { continueAsNewAfterSends: 2 });
      const draw = await untilDrawn(campaign.id);
      await claimNow(campaign.id, draw.winners[0]!);
      const result = await handle.result();
      const status = await handle.query(statusQuery);
      const first = await env.client.workflow
        .getHandle(handle.workflowId, handle.firstExecutionRunId)
        .fetchHistory();
      const event = first.events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes);
      const payload = event?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads?.[0];
      const continued = payload?.data
        ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as CampaignRunInput)
        : undefined;
      return { result, continued, status };
    });

    assert.ok(continued, 'the first run continued as new');
    assert.equal(continued.resume?.status.phase, 'claiming');
    assert.equal(result.outcome, 'completed');
    assert.deepEqual(
      [status.claims?.claimed, status.claims?.forfeited, status.claims?.open],
      [1, 1, 0],
    );
  });

  it('settles a burst of claims once, not once a claim', async () => {
    const people = participants(5, 'burst');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 4,
      alternates: 0,
    });

    const { result, settles } = await runWorker(async () => {
      const handle = await startApproved(campaign.id, accountId);
      const draw = await untilDrawn(campaign.id);
      await untilStatus(
        handle,
        (s) => s.phase === 'claiming',
        'in claiming',
        () => new Promise((resolve) => setTimeout(resolve, 100)),
      );
      for (const xUserId of draw.winners) {
        await claimNow(campaign.id, xUserId);
        await handle.signal(claimReceivedSignal);
        // Each claim a second apart: time enough for a settling each if nothing coalesced them.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const result = await handle.result();
      const events = (await handle.fetchHistory()).events ?? [];
      const firstNudge = events.findIndex(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'claimReceived',
      );
      const settles = events
        .slice(firstNudge)
        .filter(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'settleClaims',
        ).length;
      return { result, settles };
    });

    assert.equal(result.outcome, 'completed');
    assert.ok(settles >= 1 && settles <= 2, `4 claims cost ${settles} settlings`);
  });

  it('counts the winners from the claims, also when a settling is retried after its work committed', async () => {
    const people = participants(4, 'retried');
    await emulator.loadScenario(worldScenario(people));
    const { campaign, accountId } = await seedClaimsCampaign(people, {
      winners: 2,
      alternates: 1,
    });
    let lost = false;
    const { result, status } = await runWorker(
      async () => {
        const handle = await startApproved(campaign.id, accountId);
        await untilDrawn(campaign.id);
        const result = await handle.result();
        return { result, status: await handle.query(statusQuery) };
      },
      (real) => ({
        ...real,
        // The first settling that promotes commits, then its answer is lost: the retry finds
        // the promotion done and promotes nobody itself.
        async settleClaims(input) {
          const settled = await real.settleClaims(input);
          if (settled.promotedNow > 0 && !lost) {
            lost = true;
            throw new Error('the answer was lost on its way back');
          }
          return settled;
        },
      }),
    );
    assert.equal(lost, true);
    assert.equal(result.outcome, 'completed');
    assert.equal(status.claims?.promoted, 1);
    assert.equal(status.counts.won, 3, 'two winners and the promoted alternate');
  });
});
