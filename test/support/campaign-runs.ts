/**
 * Representative campaign runs on the time-skipping server against the X emulator: used by the
 * history recorder (scripts/record-histories.ts) and the history benchmark (bench/).
 */
import type { History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CampaignStatus } from '../../workflows/messages';
import { campaignV2 } from '../../workflows';
import { buildApp } from '../../api/app';
import { updateCampaignConfig } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import {
  approveSignal,
  approveUpdate,
  cancelSignal,
  configChangedUpdate,
  resolveInterventionUpdate,
  statusQuery,
} from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import {
  applyAction,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USERNAME,
  type XEmulator,
} from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from './campaign-world';
import type { TestDatabase } from './database';
import { createTestDatabase } from './database';
import { testCredentialsKey, seedApprovers } from './fixtures';
import {
  compressedPacingSleep,
  createTimeSkippingEnv,
  stepPastDueTimers,
  workflowBundle,
  testActivities,
  testWorker,
} from './temporal';
import { startXEmulator } from '../../emulator';

export interface CampaignRun {
  name: string;
  workflowId: string;
  firstRunId: string;
  entries: number;
  dms: number;
}

/** A worker with the real activities against the emulator, for one recorded run. */
export async function recordingWorker(
  env: TestWorkflowEnvironment,
  testDb: TestDatabase,
  emulator: XEmulator,
  taskQueue: string,
  webhookUrl?: string,
) {
  return testWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: 'http://kuji.test',
      ...(webhookUrl ? { webhookUrl } : {}),
      pacingSleep: compressedPacingSleep,
    }),
    workflowBundle: await workflowBundle(),
  });
}

export async function runDrawnCampaign(
  env: TestWorkflowEnvironment,
  testDb: TestDatabase,
  emulator: XEmulator,
  options: {
    name: string;
    entries: number;
    winners: number;
    cap?: number;
    continueAsNewAfterSends?: number;
    cancelBeforeApproval?: boolean;
    /** The workflow type to start (a name registered by the worker); default campaignV2. */
    workflowType?: string;
    /**
     * Claims on (docs/claims.md) with this many alternates: nobody claims, so every deadline
     * forfeits and promotes until the alternates run out.
     */
    claimsWithAlternates?: number;
  },
): Promise<CampaignRun> {
  const people = participants(options.entries, options.name.replace(/[^a-z]/g, ''));
  await emulator.loadScenario(worldScenario(people));
  const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: options.cap ?? 100 });
  const campaign = await seedCampaignWithEntries(testDb.db, {
    accountId,
    people,
    config: withClaims(
      dmKeywordDrawConfig(accountId, new Date(), { winners: options.winners }),
      options.claimsWithAlternates,
    ),
  });
  const taskQueue = `runs-${options.name}`;
  const worker = await recordingWorker(env, testDb, emulator, taskQueue);
  const workflowId = campaignWorkflowId(campaign.id);
  let firstRunId = '';
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(options.workflowType ?? campaignV2, {
      workflowId,
      taskQueue,
      args: [
        {
          campaignId: campaign.id,
          accountId,
          author: 'alice',
          ...(options.continueAsNewAfterSends
            ? { options: { continueAsNewAfterSends: options.continueAsNewAfterSends } }
            : {}),
        },
      ],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
    });
    firstRunId = handle.firstExecutionRunId;
    // An approval sent before preflight is done would be refused and dropped: wait for it.
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
      if (i >= 3000) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
      await env.sleep('100 milliseconds');
    }
    if (options.cancelBeforeApproval) {
      await handle.signal(cancelSignal, { by: 'alice', reason: 'wrong prize list' });
    } else {
      await handle.signal(approveSignal, { by: 'bob' });
    }
    await handle.result();
  });
  return {
    name: options.name,
    workflowId,
    firstRunId,
    entries: options.entries,
    dms: options.cancelBeforeApproval
      ? 0
      : options.winners + Math.min(options.claimsWithAlternates ?? 0, options.winners),
  };
}

/** A 72-hour claim deadline and `alternates` alternates, when given. */
function withClaims(config: CampaignConfigInput, alternates: number | undefined) {
  if (alternates === undefined || config.kind !== 'drawn') return config;
  return {
    ...config,
    schedule: { ...config.schedule, claimDeadlineHours: 72 },
    draw: { winners: config.draw.winners, alternates },
    claim: { fields: ['name' as const] },
  };
}

/**
 * A drawn DM-keyword campaign whose webhook is disarmed while it collects: two people enter in
 * the gap, the workflow opens `disarmed`, a person re-arms it and X replays the gap. Kuji's real
 * webhook route receives the events.
 */
export async function runDisarmedCampaign(
  env: TestWorkflowEnvironment,
  testDb: TestDatabase,
  emulator: XEmulator,
): Promise<CampaignRun> {
  const people = participants(3, 'disarmed');
  await emulator.loadScenario(worldScenario(people));
  const app = await buildApp({
    db: testDb.db,
    temporal: env.client,
    temporalConfig: { namespace: env.namespace ?? 'default', taskQueue: 'runs-disarmed' },
    webhookSecret: DEMO_CONSUMER_SECRET,
  });
  try {
    const webhookUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/webhooks/x`;
    await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
    const accountId = await seedLinkedAccount(testDb.db);
    const now = new Date(await env.currentTimeMs());
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: people.slice(0, 1),
      config: dmKeywordDrawConfig(accountId, now, {
        winners: 3,
        overrides: {
          schedule: {
            startAt: new Date(now.getTime() + 60_000).toISOString(),
            endAt: new Date(now.getTime() + 40 * 60_000).toISOString(),
            timezone: 'Asia/Tokyo',
          },
        },
      }),
    });
    const taskQueue = 'runs-disarmed';
    const worker = await recordingWorker(env, testDb, emulator, taskQueue, webhookUrl);
    const workflowId = campaignWorkflowId(campaign.id);
    let firstRunId = '';
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(campaignV2, {
        workflowId,
        taskQueue,
        args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
        typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
      });
      firstRunId = handle.firstExecutionRunId;
      await testDb.db
        .updateTable('campaigns')
        .set({ workflow_id: workflowId, workflow_run_id: firstRunId })
        .where('id', '=', campaign.id)
        .execute();
      const until = async (what: string, probe: (s: CampaignStatus) => boolean) => {
        for (let i = 0; i < 300; i += 1) {
          const status = await handle.query(statusQuery);
          if (probe(status)) return status;
          await env.sleep('5 seconds');
        }
        throw new Error(`never saw ${what}`);
      };
      await until('awaiting_approval', (s) => s.phase === 'awaiting_approval');
      await handle.signal(approveSignal, { by: 'bob' });
      await until('armed while collecting', (s) => s.automation?.armed === true);
      emulator.unsubscribe(DEMO_SENDER_USERNAME);
      for (const person of people.slice(1)) {
        applyAction(emulator, {
          type: 'dm',
          from: person.username,
          to: DEMO_SENDER_USERNAME,
          text: '参加します',
        });
      }
      await env.sleep('11 minutes');
      const disarmed = await until('disarmed', (s) =>
        Boolean(s.interventions?.some((i) => i.kind === 'disarmed')),
      );
      const interventionId = disarmed.interventions?.find((i) => i.kind === 'disarmed')?.id ?? '';
      await handle.executeUpdate(resolveInterventionUpdate, {
        args: [{ by: 'carol', interventionId, resolution: 'rearm' }],
      });
      await emulator.webhookIdle();
      await handle.result();
    });
    return { name: 'disarmed', workflowId, firstRunId, entries: people.length, dms: 3 };
  } finally {
    await app.close();
  }
}

/**
 * A drawn campaign whose configuration changes after approval: approved by update while it waits
 * for its start, a new win text is stored and the workflow told (`configChanged`), preflight runs
 * again, a second approver signs the change off by signal, and the campaign runs to its report
 * sending the changed text.
 */
export async function runChangedCampaign(
  env: TestWorkflowEnvironment,
  testDb: TestDatabase,
  emulator: XEmulator,
): Promise<CampaignRun> {
  const people = participants(3, 'changed');
  await emulator.loadScenario(worldScenario(people));
  const accountId = await seedLinkedAccount(testDb.db);
  const now = new Date(await env.currentTimeMs());
  const config = dmKeywordDrawConfig(accountId, now, { winners: 3 });
  const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people, config });
  const taskQueue = 'runs-changed';
  const worker = await recordingWorker(env, testDb, emulator, taskQueue);
  const workflowId = campaignWorkflowId(campaign.id);
  let firstRunId = '';
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId,
      taskQueue,
      args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
    });
    firstRunId = handle.firstExecutionRunId;
    const until = async (phase: string) => {
      for (let i = 0; i < 600; i += 1) {
        if ((await handle.query(statusQuery)).phase === phase) return;
        await env.sleep('100 milliseconds');
      }
      throw new Error(`never reached ${phase}`);
    };
    await until('awaiting_approval');
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
    await until('scheduled');
    const changed = {
      ...config,
      templates: {
        ...config.templates,
        win: { dm: '{name}さん、当選おめでとうございます！{resultUrl}' },
      },
    };
    const version = await updateCampaignConfig(testDb.db, campaign.id, changed, changed.name);
    await stepPastDueTimers(env, handle);
    await handle.executeUpdate(configChangedUpdate, {
      args: [{ by: 'carol', configVersion: version ?? 0 }],
    });
    await until('awaiting_approval');
    await handle.signal(approveSignal, { by: 'dave' });
    await handle.result();
  });
  return { name: 'changed', workflowId, firstRunId, entries: people.length, dms: 3 };
}

/** Every run of a workflow from its first, following continue-as-new (no visibility needed). */
export async function historiesOf(
  env: TestWorkflowEnvironment,
  workflowId: string,
  firstRunId: string,
) {
  const histories = [];
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    const history: History = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push({ runId, history });
    const events = history.events ?? [];
    const last = events[events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return histories;
}

/** The time-skipping server, a fresh database and the X emulator, torn down after `work`. */
export async function withCampaignHarness<T>(
  work: (harness: {
    env: TestWorkflowEnvironment;
    testDb: TestDatabase;
    emulator: XEmulator;
  }) => Promise<T>,
): Promise<T> {
  const [env, testDb, emulator] = await Promise.all([
    createTimeSkippingEnv(),
    createTestDatabase(),
    startXEmulator({ port: 0 }),
  ]);
  await seedApprovers(testDb.db);
  try {
    return await work({ env, testDb, emulator });
  } finally {
    await env.teardown();
    await emulator.close();
    await testDb.close();
  }
}
