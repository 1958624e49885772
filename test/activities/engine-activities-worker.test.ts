/**
 * deliverBatch and watchEntries on a real worker and the time-skipping server, scheduled with the
 * options campaignV2 uses: what the mock activity environment cannot show. A retried batch goes
 * on from the heartbeat the server recorded before the failure; a cancelled batch answers the
 * workflow (WAIT_CANCELLATION_COMPLETED) within about a second; and polling by retry policy lets
 * the server skip a minute between attempts, each attempt dated by the skipped clock.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { type Activities, createCampaignRuntimeActivities } from '../../activities';
import type { DeliverBatchInput } from '../../activities/delivery/deliver-batch';
import { createXAccess } from '../../activities/x-access';
import { findCampaignWatch } from '../../db/repositories/campaign-watch';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { DEMO_CAMPAIGN_POST_ID, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import {
  compressedPacingSleep,
  createTimeSkippingEnv,
  testActivities,
  testWorker,
} from '../support/temporal';
import {
  batchWorkflow,
  cancelledBatchWorkflow,
  watchWorkflow,
} from './support/engine-activity-workflows';

const SAFE = { errorRateThreshold: 0.5, errorRateWindow: 20, errorRateMinAttempts: 10 };

describe('deliverBatch and watchEntries on a worker', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let bundle: WorkflowBundle;
  let queue = 0;

  before(async () => {
    [env, testDb, emulator, bundle] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
      bundleWorkflowCode({
        workflowsPath: require.resolve('./support/engine-activity-workflows'),
      }),
    ]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  async function withWorker<T>(
    work: (taskQueue: string) => Promise<T>,
    wrap: (activities: Activities) => Activities = (activities) => activities,
  ): Promise<T> {
    queue += 1;
    const taskQueue = `engine-activities-${queue}`;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: wrap(
        testActivities({
          db: testDb.db,
          credentialsKey: testCredentialsKey,
          xApiBaseUrl: emulator.url,
          publicBaseUrl: 'http://kuji.test',
          pacingSleep: compressedPacingSleep,
        }),
      ),
      workflowBundle: bundle,
    });
    return worker.runUntil(() => work(taskQueue));
  }

  /** A drawn campaign with `count` queued win DMs. */
  async function queuedWins(prefix: string, count: number) {
    const people = participants(count, prefix);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: count }),
    });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await runtime.prepareCampaign({ campaignId: campaign.id });
    await runtime.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 100,
    });
    await runtime.drawCampaign({ campaignId: campaign.id });
    return campaign.id;
  }

  const batchInput = async (campaignId: string, minGapSeconds: number) =>
    ({
      campaignId,
      now: new Date(await env.currentTimeMs()).toISOString(),
      maxSends: 100,
      pacing: { minGapSeconds, jitterSeconds: 0 },
      safety: SAFE,
      recentFailures: [],
    }) satisfies DeliverBatchInput;

  it('a transient X error after a send ends the batch with retry_later; a first send that fails is retried by Temporal', async () => {
    const campaignId = await queuedWins('retried', 3);
    const before = emulator.sent().dms.length;
    // The second DM meets a 503: the batch ends with what it sent, for the workflow to go on.
    emulator.injectFault({ endpoint: 'dm.send', sequence: ['pass', 'service_unavailable'] });
    const first = await withWorker(async (taskQueue) =>
      env.client.workflow.execute(batchWorkflow, {
        workflowId: `batch-retried-${campaignId}`,
        taskQueue,
        args: [await batchInput(campaignId, 1)],
      }),
    );
    assert.equal(first.sent, 1);
    assert.equal(first.stop.kind, 'retry_later');
    // The next batch's first send meets a 503: Temporal retries the attempt, which sends all.
    emulator.injectFault({ endpoint: 'dm.send', sequence: ['service_unavailable'] });
    const second = await withWorker(async (taskQueue) =>
      env.client.workflow.execute(batchWorkflow, {
        workflowId: `batch-retried-2-${campaignId}`,
        taskQueue,
        args: [await batchInput(campaignId, 1)],
      }),
    );
    assert.equal(second.sent, 2);
    assert.deepEqual(second.stop, { kind: 'drained' });
    assert.equal(emulator.sent().dms.length - before, 3, 'each DM reached X once');
  });

  it("X's transient failures in a row get 10 attempts, each with its own backoff; the 10th is not retried", async () => {
    const campaignId = await queuedWins('exhausted', 2);
    const before = emulator.sent().dms.length;
    emulator.injectFault({
      endpoint: 'dm.send',
      sequence: Array.from({ length: 12 }, () => 'service_unavailable' as const),
    });
    const { failure, attempts } = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(batchWorkflow, {
        workflowId: `batch-exhausted-${campaignId}`,
        taskQueue,
        args: [await batchInput(campaignId, 1)],
      });
      const answered = await handle.result().then(
        () => undefined,
        (error: unknown) => error,
      );
      const events = (await handle.fetchHistory()).events ?? [];
      const started = events.find((e) => e.activityTaskStartedEventAttributes);
      return { failure: answered, attempts: started?.activityTaskStartedEventAttributes?.attempt };
    });
    assert.ok(failure instanceof WorkflowFailedError, 'the batch failed for a person to look at');
    const activityFailure = failure.cause;
    assert.ok(activityFailure instanceof ActivityFailure);
    const cause = activityFailure.cause;
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /10 attempts in a row failed/);
    assert.equal(attempts, 10);
    assert.equal(emulator.sent().dms.length - before, 0);
    emulator.faults.clear();
  });

  it("attempts lost with their worker cost none of X's 10: three lost, then 9 failures, and the batch sends", async () => {
    const campaignId = await queuedWins('lost', 2);
    const before = emulator.sent().dms.length;
    emulator.injectFault({
      endpoint: 'dm.send',
      sequence: Array.from({ length: 9 }, () => 'service_unavailable' as const),
    });
    let lost = 0;
    const release = new AbortController();
    const result = await withWorker(
      async (taskQueue) => {
        try {
          return await env.client.workflow.execute(batchWorkflow, {
            workflowId: `batch-lost-${campaignId}`,
            taskQueue,
            args: [await batchInput(campaignId, 1)],
          });
        } finally {
          // The silent attempts end before the worker shuts down (it waits for its activities).
          release.abort();
        }
      },
      (activities) => ({
        ...activities,
        // The first three attempts go silent, as on a worker that died: no heartbeat, no answer,
        // until the server's heartbeat timeout hands the batch to the next attempt.
        deliverBatch: async (input) => {
          if (lost < 3) {
            lost += 1;
            await new Promise((resolve) => release.signal.addEventListener('abort', resolve));
            throw new Error('lost with its worker');
          }
          return activities.deliverBatch(input);
        },
      }),
    );
    assert.equal(lost, 3);
    assert.equal(result.sent, 2);
    assert.deepEqual(result.stop, { kind: 'drained' });
    assert.equal(emulator.sent().dms.length - before, 2);
  });

  it('a batch cancelled while it paces answers the workflow within about a second', async () => {
    const campaignId = await queuedWins('cancelled', 3);
    const before = emulator.sent().dms.length;
    let cancelledAt = 0;
    const result = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(cancelledBatchWorkflow, {
        workflowId: `batch-cancelled-${campaignId}`,
        taskQueue,
        // A 10-minute gap: compressed to 6 s of real waiting, far longer than the cancellation.
        args: [await batchInput(campaignId, 600), 1_000],
      });
      const answered = await handle.result();
      const history = await handle.fetchHistory();
      const cancelRequested = history.events?.find(
        (e) => e.activityTaskCancelRequestedEventAttributes,
      );
      const completed = history.events?.find((e) => e.activityTaskCompletedEventAttributes);
      assert.ok(cancelRequested && completed, 'cancel requested, then the batch completed');
      cancelledAt =
        Number(completed.eventTime?.seconds) * 1000 +
        Math.floor((completed.eventTime?.nanos ?? 0) / 1e6) -
        (Number(cancelRequested.eventTime?.seconds) * 1000 +
          Math.floor((cancelRequested.eventTime?.nanos ?? 0) / 1e6));
      return answered;
    });
    assert.equal(result.sent, 1);
    assert.deepEqual(result.stop, { kind: 'cancelled' });
    assert.equal(result.queueLength, 2);
    assert.equal(emulator.sent().dms.length - before, 1, 'nothing sent after the cancellation');
    assert.ok(cancelledAt < 3_000, `answered ${cancelledAt} ms after the cancel request`);
  });

  it('polls by retry policy: the server skips the minute between attempts, dated by its clock', async () => {
    const people = participants(1, 'skipped');
    const [fan] = people;
    assert.ok(fan);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const config: CampaignConfigInput = {
      ...dmKeywordDrawConfig(accountId, new Date(), { winners: 1 }),
      entryRules: { all: [{ type: 'reply', hashtags: ['#くじ'] }] },
    };
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');

    const startedAt = await env.currentTimeMs();
    const realStart = Date.now();
    let attempts = 0;
    const { outcome, events } = await withWorker(
      async (taskQueue) => {
        const handle = await env.client.workflow.start(watchWorkflow, {
          workflowId: `watch-${campaign.id}`,
          taskQueue,
          args: [{ campaignId: campaign.id, watchArmed: false, armedCheckIntervalMs: 600_000 }],
        });
        const answered = await handle.result();
        return { outcome: answered, events: (await handle.fetchHistory()).events ?? [] };
      },
      (activities) => ({
        ...activities,
        // Three idle polls (a minute apart on the server's clock), then a reply arrives.
        watchEntries: (input) => {
          attempts += 1;
          if (attempts === 4) {
            emulator.state.createPost({
              author: fan.username,
              text: '参加 #くじ',
              replyTo: DEMO_CAMPAIGN_POST_ID,
            });
          }
          return activities.watchEntries(input);
        },
      }),
    );

    assert.equal(attempts, 4);
    assert.deepEqual(outcome, { kind: 'entries', undecided: 1 });
    const watch = await findCampaignWatch(testDb.db, campaign.id);
    const polledAfter = (watch?.polledAt?.getTime() ?? 0) - startedAt;
    // The fourth attempt, dated by the server when it was scheduled (as the third failed, two
    // skipped minutes in), read X.
    assert.ok(polledAfter >= 2 * 60_000, `last poll ${polledAfter} ms into the server's clock`);
    assert.ok(Date.now() - realStart < 60_000, 'the minutes between attempts were skipped');
    // Attempts waiting for their retry add no events: scheduled, started, completed and the
    // workflow's own few.
    assert.ok(events.length <= 12, `${events.length} history events for four polls`);
  });
});
