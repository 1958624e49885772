/**
 * Engine throughput: DMs per second through the full campaign path (a drawn campaign, pacing 0,
 * the cap above its winners: draw, delivery rows, quota ledger, batches of sends) against a bare
 * activity loop (bench/workflows/bare-send-loop.ts: one activity per DM, the same X access), on
 * the same CLI dev server and the same worker, alternated in the same run; and, informational,
 * against one activity sending every DM in turn (the X access and emulator's own floor). Rates are read from
 * the emulator's record: first DM accepted to the last.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { XAccess } from '../activities/x-access';
import { startXEmulator, DEMO_SENDER_USER_ID, type XEmulator } from '../emulator';
import { createKujiWorker } from '../worker/worker';
import { approveSignal, statusQuery } from '../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../workflows/search-attributes';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
  type Participant,
} from '../test/support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { seedApprovers, testCredentialsKey } from '../test/support/fixtures';
import { createDevServerEnv } from '../test/support/temporal';
import { createBareSendActivities } from './bare-send-activities';
import type { bareSendLoop } from './workflows/bare-send-loop';
import type { BenchContext, Benchmark } from './benchmark';
import type { Figure } from './report';
import { describeRate, median, rateRatio, sendRate, type SendRate } from './throughput-figures';

/** The issue's target: the campaign path sends at least 0.8 × the bare loop's rate. */
export const THROUGHPUT_RATIO_TARGET = 0.8;

const DMS_PER_RUN = 200;
/** Bare loop then campaign, this many times: each pair is measured side by side. */
const ROUNDS = 2;
const TASK_QUEUE = 'bench-engine-throughput';
const BARE_TEXT = 'さん、当選です！ギフト券をお送りします。詳細: http://kuji.test/r/bench';

interface Stack {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  emulator: XEmulator;
  accountId: string;
}

function rateTo(emulator: XEmulator, recipients: readonly Participant[]): SendRate {
  const ids = new Set(recipients.map((p) => p.id));
  const dms = emulator
    .sent()
    .dms.filter((dm) => dm.senderId === DEMO_SENDER_USER_ID && ids.has(dm.recipientId));
  if (dms.length !== recipients.length) {
    throw new Error(`${recipients.length} DMs expected, the emulator accepted ${dms.length}`);
  }
  return sendRate(dms.map((dm) => Date.parse(dm.createdAt)));
}

async function bareRun(
  stack: Stack,
  workflowType: 'bareSendLoop' | 'bareSendBatch',
  people: Participant[],
): Promise<SendRate> {
  const sent = await stack.env.client.workflow.execute<typeof bareSendLoop>(workflowType, {
    workflowId: `bench-${workflowType}-${Date.now()}`,
    taskQueue: TASK_QUEUE,
    args: [{ accountId: stack.accountId, recipientIds: people.map((p) => p.id), text: BARE_TEXT }],
  });
  if (sent !== people.length) throw new Error(`${workflowType} sent ${sent} DMs`);
  return rateTo(stack.emulator, people);
}

async function campaignRun(
  stack: Stack,
  people: Participant[],
  workflowType: string,
): Promise<SendRate> {
  const { env, testDb } = stack;
  const now = Date.now();
  const config = dmKeywordDrawConfig(stack.accountId, new Date(now), {
    winners: people.length,
    overrides: {
      name: 'engine throughput',
      schedule: {
        startAt: new Date(now).toISOString(),
        endAt: new Date(now + 2_000).toISOString(),
        timezone: 'Asia/Tokyo',
      },
      pacing: { minGapSeconds: 0, jitterSeconds: 0 },
    },
  });
  const campaign = await seedCampaignWithEntries(testDb.db, {
    accountId: stack.accountId,
    people,
    config,
  });
  const handle = await env.client.workflow.start(workflowType, {
    workflowId: campaignWorkflowId(campaign.id),
    taskQueue: TASK_QUEUE,
    args: [{ campaignId: campaign.id, accountId: stack.accountId, author: 'alice' }],
    typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
  });
  for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
    if (i >= 600) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await handle.signal(approveSignal, { by: 'bob' });
  await handle.result();
  return rateTo(stack.emulator, people);
}

async function measure(stack: Stack, context: BenchContext): Promise<Figure[]> {
  const { env, testDb, emulator } = stack;
  const everyone = participants(ROUNDS * 3 * DMS_PER_RUN, 'tp');
  await emulator.loadScenario(worldScenario(everyone));
  let kujiX: XAccess | undefined;
  const activities = createActivities({
    db: testDb.db,
    credentialsKey: testCredentialsKey,
    xApiBaseUrl: emulator.url,
    publicBaseUrl: 'http://kuji.test',
    // The bare loop sends through this very X access, the one deliverBatch sends through.
    interposeX: (x) => (kujiX = x),
  });
  if (!kujiX) throw new Error('no X access was built');
  const workerActivities = { ...activities, ...createBareSendActivities(kujiX) };
  context.progress('bundling Kuji workflows with the bare send loop');
  const worker = await createKujiWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    activities: workerActivities,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') }),
  });
  const bare: SendRate[] = [];
  const floor: SendRate[] = [];
  const full: SendRate[] = [];
  await worker.runUntil(async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const [barePeople, floorPeople, campaignPeople] = [0, 1, 2].map((i) =>
        everyone.slice((round * 3 + i) * DMS_PER_RUN, (round * 3 + i + 1) * DMS_PER_RUN),
      ) as [Participant[], Participant[], Participant[]];
      const label = `round ${round + 1}/${ROUNDS}`;
      bare.push(await bareRun(stack, 'bareSendLoop', barePeople));
      context.progress(`${label}: bare loop ${describeRate(bare.at(-1)!)}`);
      floor.push(await bareRun(stack, 'bareSendBatch', floorPeople));
      context.progress(`${label}: one activity ${describeRate(floor.at(-1)!)}`);
      full.push(await campaignRun(stack, campaignPeople, context.workflowType));
      context.progress(`${label}: campaign ${describeRate(full.at(-1)!)}`);
    }
  });
  const ratios = full.map((rate, i) => rateRatio(rate.perSecond, bare[i]!.perSecond));
  const floorRatios = full.map((rate, i) => rateRatio(rate.perSecond, floor[i]!.perSecond));
  const rounds = full
    .map((rate, i) => `round ${i + 1}: ${describeRate(rate)} vs ${describeRate(bare[i]!)}`)
    .join('; ');
  return [
    {
      name: 'campaign path throughput / bare activity loop',
      nameJa: 'キャンペーン経路の送信速度 / 素のアクティビティループ',
      value: median(ratios),
      unit: '×',
      target: { atLeast: THROUGHPUT_RATIO_TARGET },
      detail: `median over ${ROUNDS} side-by-side rounds of the ${context.workflowType} campaign's DMs/s (drawn, ${DMS_PER_RUN} winners, pacing 0, cap above) / a workflow calling one send activity per DM through the same X access; same dev server and worker; ${rounds}`,
    },
    {
      name: 'campaign path throughput / one activity sending every DM',
      nameJa: 'キャンペーン経路の送信速度 / 1アクティビティで全 DM を送る速度',
      value: median(floorRatios),
      unit: '×',
      target: null,
      detail: `median over ${ROUNDS} rounds against the X access's own floor: one activity sending all ${DMS_PER_RUN} DMs in turn (no delivery rows, ledger, pacing); ${floor.map((r, i) => `round ${i + 1}: ${describeRate(r)}`).join('; ')}`,
    },
    {
      name: 'campaign path deliveries per second',
      nameJa: 'キャンペーン経路の 1秒あたり配信数',
      value: median(full.map((r) => r.perSecond)),
      unit: 'DMs/s',
      target: null,
      detail: `median of ${ROUNDS} runs, first to last DM accepted by the emulator; the bare loop beside it: ${median(bare.map((r) => r.perSecond)).toFixed(1)} DMs/s`,
    },
  ];
}

export const engineThroughput: Benchmark = {
  name: 'engine-throughput',
  summary:
    'DMs/s through the full campaign path against a bare activity loop, same server and worker',
  async run(context) {
    context.progress('starting the CLI dev server, PostgreSQL and the X emulator');
    const [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    try {
      await seedApprovers(testDb.db);
      const accountId = await seedLinkedAccount(testDb.db, {
        dmDailyCap: ROUNDS * DMS_PER_RUN + 100,
      });
      return await measure({ env, testDb, emulator, accountId }, context);
    } finally {
      await env.teardown();
      await emulator.close();
      await testDb.close();
    }
  },
};
