/**
 * "Automation disarmed while running" on the time-skipping server: the X emulator delivers the
 * account's events to Kuji's real webhook route; the campaign workflow checks the webhook while
 * collecting, opens a `disarmed` intervention when X stops delivering, and on re-arm has X replay
 * the gap — the DM-keyword entries sent meanwhile (which polling cannot see) are taken in.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { type WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { listInterventions } from '../../db/repositories/interventions';
import { campaignPhases, type CampaignPhase } from '../../domain/phases';
import { campaignV2 } from '../../workflows';
import {
  approveUpdate,
  type ResolveInterventionUpdateInput,
  statusQuery,
} from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import {
  applyAction,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, seedApprovers } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  resolveClearOfTimers,
  workflowBundle,
  testActivities,
  testWorker,
} from '../support/temporal';

type Handle = WorkflowHandle<typeof campaignV2>;

/**
 * A campaign held for a person never completes: each scenario has a real-time deadline (and the
 * test a timeout above it), and its own time-skipping server, so a stuck run can hold neither the
 * clock of the next scenario nor the test process.
 */
const scenario = { timeout: 180_000 };
const SCENARIO_DEADLINE_MS = 150_000;

describe('campaign workflow automation watch (disarmed while running)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let app: FastifyInstance;
  let webhookUrl: string;
  let queue = 0;

  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  /**
   * Each test gets its own world: the participants, a fresh time-skipping server, and Kuji's
   * webhook route (signalling that server's workflows) registered with X and valid.
   */
  let people: Participant[] = [];
  beforeEach(async () => {
    queue += 1;
    env = await createTimeSkippingEnv();
    app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: 'unused' },
      webhookSecret: DEMO_CONSUMER_SECRET,
    });
    webhookUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/webhooks/x`;
    people = participants(8, `watch${queue}x`);
    await emulator.loadScenario(worldScenario(people));
    const crc = await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
    assert.equal(crc.valid, true, JSON.stringify(crc));
  });
  afterEach(async () => {
    await app?.close();
    await env?.teardown();
  });

  /** The workflows this test started: described when it fails, terminated when it ends. */
  let started: Handle[] = [];

  async function runWorker<T>(work: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `watch-${queue}`;
    started = [];
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: 'http://kuji.test',
        webhookUrl,
      }),
      workflowBundle: await workflowBundle(),
    });
    return runScenario(
      worker,
      { deadlineMs: SCENARIO_DEADLINE_MS, handles: () => started, env },
      () => work(taskQueue),
    );
  }

  /** A drawn DM-keyword campaign over 40 minutes in which everyone who enters wins. */
  async function startCampaign(taskQueue: string, seeded: Participant[]): Promise<Handle> {
    const accountId = await seedLinkedAccount(testDb.db);
    const serverNow = new Date(await env.currentTimeMs());
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: seeded,
      config: dmKeywordDrawConfig(accountId, serverNow, {
        winners: people.length,
        overrides: {
          schedule: {
            // X dates entries by its own (wall) clock, which the skipped server clock has left
            // behind: the period opens before X's now, so DMs sent from here on fall inside it.
            startAt: new Date(Math.min(serverNow.getTime(), Date.now()) - 60_000).toISOString(),
            endAt: new Date(serverNow.getTime() + 40 * 60_000).toISOString(),
            timezone: 'Asia/Tokyo',
          },
        },
      }),
    });
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaign.id),
      taskQueue,
      args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
    });
    started.push(handle);
    // The webhook route signals the workflow it finds here.
    await testDb.db
      .updateTable('campaigns')
      .set({ workflow_id: handle.workflowId, workflow_run_id: handle.firstExecutionRunId })
      .where('id', '=', campaign.id)
      .execute();
    return handle;
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await env.sleep('5 seconds');
    }
    throw new Error(`never saw: ${what}`);
  }

  const waitForPhase = (handle: Handle, phase: CampaignPhase) =>
    waitFor(`phase ${phase}`, async () => {
      const status = await handle.query(statusQuery);
      return campaignPhases.indexOf(status.phase) >= campaignPhases.indexOf(phase)
        ? status
        : undefined;
    });

  const openStop = (handle: Handle, kind: string) =>
    waitFor(`open ${kind}`, async () => {
      const status = await handle.query(statusQuery);
      return status.interventions?.find((i) => i.kind === kind)?.id;
    });

  /** Collecting, with the first check of the webhook done and armed. */
  async function launch(handle: Handle) {
    await waitForPhase(handle, 'awaiting_approval');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
    await waitFor('collecting and armed', async () => {
      const status = await handle.query(statusQuery);
      return status.phase === 'collecting' && status.automation?.armed ? status : undefined;
    });
  }

  const resolve = (handle: Handle, args: ResolveInterventionUpdateInput) =>
    resolveClearOfTimers(env, handle, args);

  function enterByDm(who: Participant[]) {
    for (const person of who) {
      applyAction(emulator, {
        type: 'dm',
        from: person.username,
        to: DEMO_SENDER_USERNAME,
        text: '参加します',
      });
    }
  }

  async function storedEntrants(campaignId: string): Promise<Set<string>> {
    const rows = await testDb.db
      .selectFrom('entry_events')
      .select('x_user_id')
      .where('campaign_id', '=', campaignId)
      .execute();
    return new Set(rows.map((row) => row.x_user_id ?? ''));
  }

  const dmCountTo = (person: Participant) =>
    emulator.sent().dms.filter((dm) => dm.recipientId === person.id).length;

  const campaignIdOf = (handle: Handle) => handle.workflowId.replace(/^campaign:/, '');

  async function refusalOf(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        return { code: error.cause.type, message: error.cause.message };
      }
      throw error;
    }
    assert.fail('the update was accepted');
  }

  it(
    'opens `disarmed` when X stops delivering, and a re-arm replays the gap so no entry is lost',
    scenario,
    async () => {
      const [early, ...rest] = people;
      assert.ok(early);
      const gap = rest.slice(0, 4);
      await runWorker(async (taskQueue) => {
        const handle = await startCampaign(taskQueue, [early]);
        await launch(handle);
        const campaignId = campaignIdOf(handle);
        const jobsBefore = emulator.webhooks.replayJobs.length;

        // The sender's subscription is dropped: X records the DMs but delivers none of them.
        emulator.unsubscribe(DEMO_SENDER_USERNAME);
        enterByDm(gap);
        await emulator.webhookIdle();
        const duringGap = await storedEntrants(campaignId);
        for (const person of gap) assert.equal(duringGap.has(person.id), false);

        // The next check (ten minutes on) finds the gap and stops for a person.
        await env.sleep('11 minutes');
        const interventionId = await openStop(handle, 'disarmed');
        const disarmed = await handle.query(statusQuery);
        assert.equal(disarmed.needsAttention, true);
        assert.equal(disarmed.automation?.armed, false);
        assert.equal(disarmed.automation?.problem, 'not_subscribed');
        assert.equal(disarmed.phase, 'collecting');

        const resolved = await resolve(handle, {
          by: 'carol',
          interventionId,
          resolution: 'rearm',
        });
        assert.equal(resolved.resolution, 'rearm');
        await emulator.webhookIdle();

        // X replayed the gap to the webhook route: every DM sent meanwhile is an entry now.
        const afterReplay = await storedEntrants(campaignId);
        for (const person of gap) assert.equal(afterReplay.has(person.id), true, person.username);
        const jobs = emulator.webhooks.replayJobs.slice(jobsBefore);
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]?.status, 'complete');

        const result = await handle.result();
        assert.equal(result.outcome, 'completed');
        // Everyone who entered wins: the one before the gap and the four inside it, once each.
        for (const person of [early, ...gap]) assert.equal(dmCountTo(person), 1, person.username);
        assert.equal(result.report?.winners, 5);

        const [stored] = await listInterventions(testDb.db, { campaignId, kind: 'disarmed' });
        assert.equal(stored?.status, 'resolved');
        assert.equal(stored?.resolution, 'rearm');
        assert.equal(stored?.resolvedBy, 'carol');
        const rearms = await testDb.db
          .selectFrom('audit_log')
          .select(['actor', 'details'])
          .where('campaign_id', '=', campaignId)
          .where('action', '=', 'automation.rearm')
          .execute();
        assert.equal(rearms.length, 1);
        assert.equal(rearms[0]?.actor, 'carol');
      });
    },
  );

  it(
    'refuses a re-arm while the webhook is gone, naming why, and re-arms once it is registered again',
    scenario,
    async () => {
      const gap = people.slice(0, 3);
      await runWorker(async (taskQueue) => {
        const handle = await startCampaign(taskQueue, []);
        await launch(handle);
        const campaignId = campaignIdOf(handle);

        const deleted = await fetch(`${emulator.url}/_admin/webhook`, { method: 'DELETE' });
        assert.equal(deleted.status, 200);
        enterByDm(gap);
        await env.sleep('11 minutes');
        const interventionId = await openStop(handle, 'disarmed');
        assert.equal((await handle.query(statusQuery)).automation?.problem, 'webhook_missing');

        const refusal = await refusalOf(
          resolve(handle, { by: 'carol', interventionId, resolution: 'rearm' }),
        );
        assert.equal(refusal.code, 'webhook_missing');
        assert.match(refusal.message, /Re-arming failed/);
        const still = await handle.query(statusQuery);
        assert.deepEqual(
          still.interventions?.map((i) => i.kind),
          ['disarmed'],
        );

        // The operator registers the webhook again; now the re-arm goes through and replays.
        const crc = await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
        assert.equal(crc.valid, true);
        await resolve(handle, { by: 'carol', interventionId, resolution: 'rearm' });
        await emulator.webhookIdle();
        const entrants = await storedEntrants(campaignId);
        for (const person of gap) assert.equal(entrants.has(person.id), true, person.username);

        const result = await handle.result();
        assert.equal(result.report?.winners, 3);
        for (const person of gap) assert.equal(dmCountTo(person), 1, person.username);
      });
    },
  );

  it(
    'holds collection open at the end while disarmed, and a dismissal goes on without the gap',
    scenario,
    async () => {
      const [early, ...rest] = people;
      assert.ok(early);
      const gap = rest.slice(0, 2);
      await runWorker(async (taskQueue) => {
        const handle = await startCampaign(taskQueue, [early]);
        await launch(handle);
        const campaignId = campaignIdOf(handle);
        const jobsBefore = emulator.webhooks.replayJobs.length;

        // Disarmed after the last periodic check: only the check at the end can see it.
        await env.sleep('31 minutes');
        emulator.unsubscribe(DEMO_SENDER_USERNAME);
        enterByDm(gap);
        await env.sleep('10 minutes');
        const interventionId = await openStop(handle, 'disarmed');
        // Well past the end of the entry period, the campaign still collects: nothing is drawn.
        await env.sleep('30 minutes');
        const held = await handle.query(statusQuery);
        assert.equal(held.phase, 'collecting');
        assert.equal(held.draw, null);

        await resolve(handle, {
          by: 'carol',
          interventionId,
          resolution: 'dismiss',
          note: 'polling suffices',
        });
        const result = await handle.result();
        assert.equal(result.outcome, 'completed');
        // The person chose to go on: the gap's DMs were never taken in, and only `early` won.
        assert.equal(result.report?.winners, 1);
        assert.equal(dmCountTo(early), 1);
        for (const person of gap) assert.equal(dmCountTo(person), 0, person.username);
        const [stored] = await listInterventions(testDb.db, { campaignId, kind: 'disarmed' });
        assert.equal(stored?.resolution, 'dismiss');
        assert.equal(emulator.webhooks.replayJobs.length, jobsBefore);
      });
    },
  );
});
