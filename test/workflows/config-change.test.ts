/**
 * A configuration change on a running campaign, on the real CLI dev server (real time): sending
 * holds the moment the change is accepted — no pause needed — and approval waits for the
 * change's preflight. Preflight is held by the test so the window is observable.
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
import { createStopsActivities, type ResolveInterventionInput } from '../../activities/stops';
import { updateCampaignConfig } from '../../db/repositories/campaigns';
import { campaignV2 } from '../../workflows';
import { approveUpdate, configChangedUpdate, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import { startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, seedApprovers } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createDevServerEnv,
  workflowBundle,
  testActivities,
  testWorker,
} from '../support/temporal';

type Handle = WorkflowHandle<typeof campaignV2>;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never saw: ${what}`);
}

describe('campaign workflow configuration change while running (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
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

  /** Three entrants who all win, collecting from now for 2 s, DMs `gapSeconds` apart. */
  async function seedRunningCampaign(name: string, gapSeconds: number) {
    const people = participants(3, name);
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const now = Date.now();
    const config = dmKeywordDrawConfig(accountId, new Date(now), {
      winners: 3,
      overrides: {
        schedule: {
          startAt: new Date(now).toISOString(),
          endAt: new Date(now + 2_000).toISOString(),
          timezone: 'Asia/Tokyo',
        },
        pacing: { minGapSeconds: gapSeconds, jitterSeconds: 0 },
      },
    });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
    return { accountId, campaign, config };
  }

  it('holds sending the moment a change is accepted and refuses approval until its preflight is done', async () => {
    // Wide gaps: were sending not held, the second DM would go out while preflight waits.
    const { accountId, campaign } = await seedRunningCampaign('hold', 2);
    let handle: Handle | undefined;
    let releasePreflight: () => void = () => undefined;
    let preflightGate: Promise<void> | undefined;
    let change: Promise<{ approvalRequired: boolean }> | undefined;
    const taskQueue = 'config-change';
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: (() => {
        const activities = testActivities({
          db: testDb.db,
          credentialsKey: testCredentialsKey,
          xApiBaseUrl: emulator.url,
          publicBaseUrl: 'http://kuji.test',
          interposeX: (x) => ({
            ...x,
            xSendDm: async (input) => {
              const result = await x.xSendDm(input);
              if (emulator.sent().dms.length === 1 && handle) {
                preflightGate = new Promise((resolve) => (releasePreflight = resolve));
                // Accepted before this DM's send returns: the next send sees the change.
                const update = await handle.startUpdate(configChangedUpdate, {
                  args: [{ by: 'carol', configVersion: 2 }],
                  waitForStage: WorkflowUpdateStage.ACCEPTED,
                });
                change = update.result();
              }
              return result;
            },
          }),
        });
        return {
          ...activities,
          runPreflight: async (input: { campaignId: string }) => {
            await preflightGate;
            return activities.runPreflight(input);
          },
        };
      })(),
      workflowBundle: await workflowBundle(),
    });

    await worker.runUntil(async () => {
      // A failing assertion must not leave preflight held: the worker drains before it stops.
      try {
        handle = await env.client.workflow.start(campaignV2, {
          workflowId: campaignWorkflowId(campaign.id),
          taskQueue,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        });
        await eventually('awaiting approval', async () =>
          (await handle!.query(statusQuery)).phase === 'awaiting_approval' ? true : undefined,
        );
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });

        const held = await eventually('back to awaiting approval after the first DM', async () => {
          const status = await handle!.query(statusQuery);
          return status.counts.sent === 1 && status.phase === 'awaiting_approval'
            ? status
            : undefined;
        });
        assert.equal(held.paused, false, 'no pause: the change alone holds sending');
        // Three pacing gaps of real time: nothing more goes out while the change is checked.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        assert.equal(emulator.sent().dms.length, 1, 'only the DM sent before the change');

        let refusal: string | undefined;
        try {
          await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
        } catch (error) {
          if (!(error instanceof WorkflowUpdateFailedError)) throw error;
          refusal = error.cause instanceof ApplicationFailure ? (error.cause.type ?? '') : '';
        }
        assert.equal(refusal, 'preflight_running');

        releasePreflight();
        assert.equal((await change)?.approvalRequired, true);
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
        const result = await handle.result();
        assert.equal(result.report?.delivered, 3);
      } finally {
        releasePreflight();
        await handle?.cancel().catch(() => undefined);
      }
    });
    assert.equal(emulator.sent().dms.length, 3, 'each winner got exactly one DM');
  });

  it('gives a change accepted while the approval is being recorded its own approval round', async () => {
    const { accountId, campaign, config } = await seedRunningCampaign('midapproval', 0);
    const interventions = createStopsActivities({ db: testDb.db });
    let entered: () => void = () => undefined;
    const recording = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const taskQueue = 'config-change-mid-approval';
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: {
        ...testActivities({
          db: testDb.db,
          credentialsKey: testCredentialsKey,
          xApiBaseUrl: emulator.url,
          publicBaseUrl: 'http://kuji.test',
        }),
        // The first approval's record waits for the test: the change lands in that window.
        resolveInterventionRecord: async (input: ResolveInterventionInput) => {
          if (input.resolution === 'approved' && !held) {
            held = true;
            entered();
            await gate;
          }
          return interventions.resolveInterventionRecord(input);
        },
      },
      workflowBundle: await workflowBundle(),
    });

    let handle: Handle | undefined;
    const started: Handle[] = [];
    await runScenario(worker, { deadlineMs: 90_000, handles: () => started }, async () => {
      try {
        handle = await env.client.workflow.start(campaignV2, {
          workflowId: campaignWorkflowId(campaign.id),
          taskQueue,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        });
        started.push(handle);
        await eventually('awaiting approval', async () =>
          (await handle!.query(statusQuery)).phase === 'awaiting_approval' ? true : undefined,
        );
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
        await recording;
        const changed = {
          ...config,
          templates: {
            ...config.templates,
            win: { dm: '{name}さん、変更後の当選DMです {resultUrl}' },
          },
        };
        const version = await updateCampaignConfig(testDb.db, campaign.id, changed, changed.name);
        const change = await handle.executeUpdate(configChangedUpdate, {
          args: [{ by: 'carol', configVersion: version ?? 0 }],
        });
        assert.equal(change.approvalRequired, true);
        release();

        const waiting = await eventually('back to awaiting approval for the change', async () => {
          const status = await handle!.query(statusQuery);
          return status.phase === 'awaiting_approval' && status.approvalRound === 2
            ? status
            : undefined;
        });
        assert.equal(waiting.approvedBy, null);
        assert.deepEqual(emulator.sent().dms, [], 'nothing sent before the change is approved');
        // Four eyes on the change: the one who made it cannot approve it.
        let refusal: string | undefined;
        try {
          await handle.executeUpdate(approveUpdate, { args: [{ by: 'carol' }] });
        } catch (error) {
          if (!(error instanceof WorkflowUpdateFailedError)) throw error;
          refusal = error.cause instanceof ApplicationFailure ? (error.cause.type ?? '') : '';
        }
        assert.equal(refusal, 'author_cannot_approve');
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'dave' }] });
        assert.equal((await handle.result()).report?.delivered, 3);
      } finally {
        release();
      }
    });
    const texts = emulator.sent().dms.map((dm) => dm.text);
    assert.equal(texts.length, 3);
    for (const text of texts) assert.match(text, /変更後の当選DM/, 'the approved change went out');
  });
});
