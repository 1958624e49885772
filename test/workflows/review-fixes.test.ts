/**
 * campaignV2's review fixes of a5591be on the time-skipping server, with real DMs through the X
 * emulator: a resume wakes an instant win's collection to send what was decided while paused
 * (it slept to the end of collection before), and a run continued as new while a change waits
 * for its approval keeps waiting for it (it cleared the pending approval and sent on before).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type WorkflowHandle,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listDeliveries } from '../../db/repositories/deliveries';
import { insertEntryEvents } from '../../db/repositories/entries';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { campaignPhases, type CampaignPhase } from '../../domain/phases';
import { startXEmulator, type XEmulator } from '../../emulator';
import { campaignV2 } from '../../workflows';
import {
  approveUpdate,
  cancelSignal,
  configChangedUpdate,
  entriesArrivedSignal,
  pauseSignal,
  resumeSignal,
  statusQuery,
} from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import {
  dmKeywordDrawConfig,
  type Participant,
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

type Handle = WorkflowHandle<typeof campaignV2>;

const SCENARIO_DEADLINE_MS = 150_000;

describe('campaignV2 review fixes', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let queue = 0;
  let started: Handle[] = [];

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  /** A worker with the real activities; `onSend` runs inside each DM's send, after X accepted it. */
  async function runWorker<T>(
    work: (taskQueue: string) => Promise<T>,
    onSend?: (sent: number) => Promise<void>,
  ): Promise<T> {
    queue += 1;
    const taskQueue = `review-fixes-${queue}`;
    let sent = 0;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: 'http://kuji.test',
        interposeX: (x) => ({
          ...x,
          xSendDm: async (input) => {
            const result = await x.xSendDm(input);
            sent += 1;
            await onSend?.(sent);
            return result;
          },
        }),
      }),
      workflowBundle: await workflowBundle(),
    });
    started = [];
    return runScenario(
      worker,
      { deadlineMs: SCENARIO_DEADLINE_MS, handles: () => started, env },
      () => work(taskQueue),
    );
  }

  async function startCampaign(
    campaignId: string,
    accountId: string,
    taskQueue: string,
    options?: { continueAsNewAfterSends: number },
  ): Promise<Handle> {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue,
      args: [{ campaignId, accountId, author: 'alice', ...(options ? { options } : {}) }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    started.push(handle);
    return handle;
  }

  /** Probes until `probe` answers, skipping `stepSeconds` of server time between probes. */
  async function waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    { probes = 120, stepSeconds = 5 } = {},
  ): Promise<T> {
    for (let attempt = 0; attempt < probes; attempt += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await env.sleep(stepSeconds * 1_000);
    }
    throw new Error(`never saw: ${what}`);
  }

  async function waitForPhase(handle: Handle, phase: CampaignPhase) {
    return waitFor(`phase ${phase}`, async () => {
      const status = await handle.query(statusQuery);
      return campaignPhases.indexOf(status.phase) >= campaignPhases.indexOf(phase)
        ? status
        : undefined;
    });
  }

  const dmsTo = (people: Participant[]) => {
    const ids = new Set(people.map((p) => p.id));
    return emulator.sent().dms.filter((dm) => ids.has(dm.recipientId));
  };

  it('sends a win decided while paused as soon as the campaign resumes, long before collection ends', async () => {
    const [first, late] = participants(2, 'wake') as [Participant, Participant];
    await emulator.loadScenario(worldScenario([first, late]));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = await env.currentTimeMs();
    const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, new Date(now), {
      winners: 1,
    }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
    const endAtMs = now + 60_000 + 3 * 3_600_000;
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [first],
      config: {
        ...drawn,
        kind: 'instant_win',
        schedule: {
          startAt: new Date(now + 60_000).toISOString(),
          endAt: new Date(endAtMs).toISOString(),
          timezone: 'Asia/Tokyo',
        },
        // Stock above the expected entries of the window: every entrant wins.
        prizes: [{ id: 'gift', name: 'ギフト券', stock: 500, valueYen: 500, odds: 1 }],
        templates: { win: { dm: '{name}さん、当選です！{resultUrl}' }, lose: {} },
      },
    });

    await runWorker(async (taskQueue) => {
      const handle = await startCampaign(campaign.id, accountId, taskQueue);
      await waitForPhase(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
      await waitFor('the first entrant got the win DM', () =>
        Promise.resolve(dmsTo([first]).length === 1 ? true : undefined),
      );
      await handle.signal(pauseSignal, { by: 'olivia' });
      // Back in collection's wait when the entry arrives.
      await env.sleep('5 minutes');

      const enteredAt = await env.currentTimeMs();
      await insertEntryEvents(testDb.db, [
        {
          campaignId: campaign.id,
          xEventId: `dm-${campaign.id}-${late.id}`,
          source: 'dm_keyword' as const,
          xUserId: late.id,
          username: late.username,
          text: '参加します',
          receivedVia: 'webhook' as const,
          occurredAt: new Date(enteredAt),
        },
      ]);
      await stepPastDueTimers(env, handle);
      await handle.signal(entriesArrivedSignal);
      const queued = await waitFor('the late entrant won, the DM queued', async () => {
        const rows = await listDeliveries(testDb.db, { campaignId: campaign.id, limit: 10 });
        return rows.find((d) => d.xUserId === late.id && d.state === 'queued');
      });
      assert.equal(queued.kind, 'win');
      await env.sleep('10 minutes');
      assert.equal(dmsTo([late]).length, 0, 'nothing is sent while paused');

      await stepPastDueTimers(env, handle);
      await handle.signal(resumeSignal, { by: 'olivia' });
      const resumedAt = await env.currentTimeMs();
      // No other entry arrives: only the resume can wake the loop before the end (hours away).
      await waitFor(
        'the queued win DM sent after the resume',
        () => Promise.resolve(dmsTo([late]).length === 1 ? true : undefined),
        { probes: 60 },
      );
      const sentAt = await env.currentTimeMs();
      assert.ok(sentAt - resumedAt < 5 * 60_000, `sent ${sentAt - resumedAt} ms after the resume`);
      assert.ok(sentAt < endAtMs - 2 * 3_600_000, 'well before the end of collection');
      const status = await handle.query(statusQuery);
      assert.equal(status.phase, 'collecting');
      assert.equal(status.counts.sent, 2);

      await stepPastDueTimers(env, handle);
      await handle.signal(cancelSignal, { by: 'olivia', reason: 'test over' });
      await handle.result();
    });
    assert.equal(dmsTo([first, late]).length, 2, 'each winner got exactly one DM');
  });

  it('keeps a change accepted while delivering waiting for its approval across continue-as-new', async () => {
    const people = participants(4, 'canapprove');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = await env.currentTimeMs();
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(now), {
        winners: 4,
        overrides: {
          schedule: {
            startAt: new Date(now).toISOString(),
            endAt: new Date(now + 2_000).toISOString(),
            timezone: 'Asia/Tokyo',
          },
        },
      }),
    });
    let handle: Handle | undefined;
    let change: Promise<{ approvalRequired: boolean }> | undefined;

    await runWorker(
      async (taskQueue) => {
        // The first batch ends at two sends and the run continues as new right after it.
        handle = await startCampaign(campaign.id, accountId, taskQueue, {
          continueAsNewAfterSends: 2,
        });
        const firstRunId = (await handle.describe()).runId;
        await waitForPhase(handle, 'awaiting_approval');
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });

        await waitFor('the run continued as new after the batch', async () =>
          (await handle!.describe()).runId !== firstRunId ? true : undefined,
        );
        assert.equal((await change)?.approvalRequired, true);
        // Time for the continued run to settle where it waits.
        await env.sleep('10 minutes');
        const waiting = await handle.query(statusQuery);
        const sentWhileWaiting = dmsTo(people).length;
        await stepPastDueTimers(env, handle);
        let refusal: string | undefined;
        try {
          await handle.executeUpdate(approveUpdate, { args: [{ by: 'dave' }] });
        } catch (error) {
          if (!(error instanceof WorkflowUpdateFailedError)) throw error;
          refusal =
            error.cause instanceof ApplicationFailure
              ? (error.cause.type ?? 'refused')
              : String(error);
        }
        assert.equal(refusal, undefined, "the second approver's approval is accepted");
        assert.equal(waiting.phase, 'awaiting_approval', 'the continued run waits for approval');
        assert.equal(waiting.approvalRound, 2);
        assert.equal(waiting.approvedBy, null);
        assert.equal(sentWhileWaiting, 2, 'nothing sent while the change waits');
        const result = await handle.result();
        assert.equal(result.outcome, 'completed');
        assert.equal(result.report?.delivered, 4);
      },
      async (sent) => {
        if (sent !== 2 || !handle) return;
        // Accepted before the second DM's send returns: the batch ends with the change pending.
        const update = await handle.startUpdate(configChangedUpdate, {
          args: [{ by: 'carol', configVersion: 2 }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
        change = update.result();
      },
    );
    assert.equal(dmsTo(people).length, 4, 'each winner got exactly one DM');
  });
});
