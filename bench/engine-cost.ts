/**
 * The engine's cost in workflow history (issue #18): events per DM over a drawn 200-winner
 * campaign, and events per hour of collecting with no entries. Runs on the time-skipping server
 * with the X emulator (the judge of what was sent) and PostgreSQL.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveSignal, statusQuery, type CampaignStatus } from '../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../workflows/search-attributes';
import {
  historiesOf,
  recordingWorker,
  runDrawnCampaign,
  withCampaignHarness,
} from '../test/support/campaign-runs';
import {
  dmKeywordDrawConfig,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../test/support/campaign-world';
import type { TestDatabase } from '../test/support/database';
import { endpointKeys, type XEmulator } from '../emulator';
import type { BenchContext, Benchmark } from './benchmark';
import { activityTime, countEvents, eventsPerHour } from './history-figures';
import type { Figure } from './report';

/** Issue #18's targets. */
export const EVENTS_PER_DM_TARGET = 3;
export const EVENTS_PER_IDLE_HOUR_TARGET = 30;

const DRAWN = { entries: 2000, winners: 200, cap: 100 };
const IDLE_HOURS = 3;
/** The activities that decide stored entries (eligibility, outcome); a workflow type that
 * decides them under another activity name adds it here. */
const ENTRY_DECIDING_ACTIVITIES = ['processEntries'];

interface Harness {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  emulator: XEmulator;
}

async function drawnCampaignFigures(harness: Harness, context: BenchContext): Promise<Figure[]> {
  const { env, testDb, emulator } = harness;
  context.progress(
    `drawn campaign: ${DRAWN.entries} entries, ${DRAWN.winners} winners, cap ${DRAWN.cap}/day (${context.workflowType})`,
  );
  const run = await runDrawnCampaign(env, testDb, emulator, {
    name: 'bench',
    ...DRAWN,
    workflowType: context.workflowType,
  });
  const dms = emulator.sent().dms.length;
  const runs = await historiesOf(env, run.workflowId, run.firstRunId);
  const events = countEvents(runs);
  context.progress(
    `drawn campaign: ${dms} DMs sent, ${events} history events, ${runs.length} runs`,
  );
  const figures: Figure[] = [
    {
      name: 'history events per DM',
      nameJa: 'DM 1通あたりの履歴イベント数',
      value: events / dms,
      unit: 'events/DM',
      target: { atMost: EVENTS_PER_DM_TARGET },
      detail: `${events} events in ${runs.length} run(s) / ${dms} DMs; ${DRAWN.entries} entries, ${DRAWN.winners} winners, cap ${DRAWN.cap}/day`,
    },
  ];
  const deciding = activityTime(runs, ENTRY_DECIDING_ACTIVITIES);
  if (deciding.completed > 0 && deciding.seconds > 0) {
    figures.push({
      name: 'entries decided per second',
      nameJa: '1秒あたりに判定した応募数',
      value: DRAWN.entries / deciding.seconds,
      unit: 'entries/s',
      target: null,
      detail: `${DRAWN.entries} entries in ${deciding.completed} ${ENTRY_DECIDING_ACTIVITIES.join('/')} runs taking ${deciding.seconds.toFixed(1)} s`,
    });
  } else {
    context.progress(
      `entries decided per second: no completed ${ENTRY_DECIDING_ACTIVITIES.join('/')} activity in the history; figure left out`,
    );
  }
  return figures;
}

async function untilPhase(
  env: TestWorkflowEnvironment,
  handle: { query: (q: typeof statusQuery) => Promise<CampaignStatus> },
  phase: string,
  step: string,
) {
  let seen = '';
  for (let i = 0; i < 3000; i += 1) {
    const status = await handle.query(statusQuery);
    if (status.phase === phase) return;
    seen = JSON.stringify(status);
    await env.sleep(step);
  }
  throw new Error(`the campaign never reached ${phase}; its status: ${seen}`);
}

async function idleCollectingFigure(harness: Harness, context: BenchContext): Promise<Figure> {
  const { env, testDb, emulator } = harness;
  context.progress(
    `idle campaign: collecting ${IDLE_HOURS} skipped hours with no entries (${context.workflowType})`,
  );
  // X's rate windows run on the wall clock while the workflow's hours are skipped: three hours
  // of polls would spend them in seconds and then wait real minutes for each reset. Rate limits
  // are not what this measures, so they are lifted.
  await emulator.loadScenario({
    ...worldScenario([]),
    rateLimits: Object.fromEntries(
      endpointKeys.map((key) => [key, { limit: 1_000_000, windowSeconds: 900 }]),
    ),
  });
  const accountId = await seedLinkedAccount(testDb.db);
  const now = await env.currentTimeMs();
  const campaign = await seedCampaignWithEntries(testDb.db, {
    accountId,
    people: [],
    config: dmKeywordDrawConfig(accountId, new Date(now), {
      winners: 1,
      overrides: {
        name: 'idle collecting',
        // Follow, repost and reply with a hashtag: entries come from X's lists and search, so
        // collecting polls them; winners are told by reply (they summoned the account).
        entryRules: {
          all: [{ type: 'follow' }, { type: 'repost' }, { type: 'reply', hashtags: ['#くじ'] }],
        },
        templates: { win: { reply: '{name}さん、当選です！詳細: {resultUrl}' }, lose: {} },
        schedule: {
          startAt: new Date(now + 60_000).toISOString(),
          // Well past the measured hours: collection must not end inside them.
          endAt: new Date(now + (IDLE_HOURS + 3) * 3_600_000).toISOString(),
          timezone: 'Asia/Tokyo',
        },
      },
    }),
  });
  const taskQueue = 'bench-idle-collecting';
  const worker = await recordingWorker(env, testDb, emulator, taskQueue);
  const workflowId = campaignWorkflowId(campaign.id);
  const added = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(context.workflowType, {
      workflowId,
      taskQueue,
      args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
    });
    await untilPhase(env, handle, 'awaiting_approval', '100 milliseconds');
    await handle.signal(approveSignal, { by: 'bob' });
    await untilPhase(env, handle, 'collecting', '5 seconds');
    const history = () => historiesOf(env, workflowId, handle.firstExecutionRunId);
    const before = countEvents(await history());
    // X's side of the idle hours: few events must come from cheap polling, not from none.
    const lastRequest = emulator.requests().at(-1)?.seq ?? 0;
    context.progress(
      `idle campaign: collecting, ${before} events so far; skipping ${IDLE_HOURS} h`,
    );
    await env.sleep(`${IDLE_HOURS} hours`);
    const after = countEvents(await history());
    const xRequests = emulator.requests({ since: lastRequest }).length;
    const phase = (await handle.query(statusQuery)).phase;
    await handle.terminate('benchmark measured');
    if (phase !== 'collecting') throw new Error(`the idle campaign left collecting (${phase})`);
    return { before, after, xRequests };
  });
  context.progress(
    `idle campaign: ${added.after - added.before} events and ${added.xRequests} requests to X in ${IDLE_HOURS} h`,
  );
  return {
    name: 'history events per idle collecting hour',
    nameJa: '応募のない収集 1時間あたりの履歴イベント数',
    value: eventsPerHour(added.before, added.after, IDLE_HOURS),
    unit: 'events/h',
    target: { atMost: EVENTS_PER_IDLE_HOUR_TARGET },
    detail: `${added.after - added.before} events over ${IDLE_HOURS} skipped hours of collecting, no entries; ${added.xRequests} requests to X meanwhile`,
  };
}

export const engineSending: Benchmark = {
  name: 'engine-sending',
  summary: 'workflow history events per DM over a drawn 200-winner campaign (issue #18)',
  run: (context) => withCampaignHarness((harness) => drawnCampaignFigures(harness, context)),
};

export const engineIdle: Benchmark = {
  name: 'engine-idle',
  summary: 'workflow history events per hour of collecting with no entries (issue #18)',
  run: (context) =>
    withCampaignHarness(async (harness) => [await idleCollectingFigure(harness, context)]),
};
