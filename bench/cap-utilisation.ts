/**
 * Cap utilisation (issue #14): two drawn campaigns share one sender account whose daily DM cap is
 * far below their winners, on the time-skipping server with the X emulator and PostgreSQL. Each
 * local day of the account should use the whole cap (no day wasted, no DM over it) until the
 * queue drains.
 *
 * Which day a DM counts in: the workflow's day, not the emulator's. The time-skipping server
 * skips days while the emulator's clock (wall time) stays in one afternoon, so the emulator's
 * createdAt would put every DM on one day. Each sent delivery keeps `eta`, the workflow's time
 * handed to the send activity as the slot was reserved; its local day is read here with Intl and
 * compared with the ledger's day (`window_day`). Only deliveries whose X event id the emulator
 * recorded count: the emulator is the judge of what went out.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sentDeliveriesMatching } from '../db/repositories/deliveries';
import { approveSignal, statusQuery, type CampaignStatus } from '../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../workflows/search-attributes';
import { recordingWorker } from '../test/support/campaign-runs';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../test/support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { seedApprovers } from '../test/support/fixtures';
import { startXEmulator, type XEmulator } from '../emulator';
import type { BenchContext, Benchmark } from './benchmark';
import {
  capUtilisation,
  capUtilisationFigures,
  countPerLocalDay,
  describeDays,
  localDayOf,
} from './cap-utilisation-figures';
import type { Figure } from './report';
import { startTimeSkippingEnv } from './time-skipping-server';

const CAP = 100;
const WINNERS_PER_CAMPAIGN = 180;
const CAMPAIGNS = 2;
const TIME_ZONE = 'Asia/Tokyo';
/** 360 DMs at 100 a day take four local days; a week means something is stuck. */
const MAX_SKIPPED_HOURS = 7 * 24;
const keyword = (i: number) => `応募${String.fromCharCode(65 + i)}`;

interface Harness {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  emulator: XEmulator;
}

async function sharedCapFigures(harness: Harness, context: BenchContext): Promise<Figure[]> {
  const { env, testDb, emulator } = harness;
  const people = participants(CAMPAIGNS * WINNERS_PER_CAMPAIGN, 'capshare');
  await emulator.loadScenario(worldScenario(people));
  const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: CAP, timezone: TIME_ZONE });
  const now = new Date(await env.currentTimeMs());
  const campaigns: { id: string }[] = [];
  for (let i = 0; i < CAMPAIGNS; i += 1) {
    const audience = people.slice(i * WINNERS_PER_CAMPAIGN, (i + 1) * WINNERS_PER_CAMPAIGN);
    const config = dmKeywordDrawConfig(accountId, now, {
      winners: WINNERS_PER_CAMPAIGN,
      // Pacing is not what this measures: the cap is.
      overrides: {
        name: `shared cap ${i + 1}`,
        // Keywords of one account's campaigns must not overlap (a preflight finding blocks it).
        entryRules: { all: [{ type: 'dm_keyword', keyword: keyword(i) }] },
        pacing: { minGapSeconds: 0, jitterSeconds: 0 },
      },
    });
    campaigns.push(
      await seedCampaignWithEntries(testDb.db, {
        accountId,
        people: audience,
        config,
        text: `${keyword(i)}します`,
      }),
    );
  }
  context.progress(
    `${CAMPAIGNS} campaigns × ${WINNERS_PER_CAMPAIGN} winners on one account, cap ${CAP}/day (${context.workflowType})`,
  );

  const taskQueue = 'bench-cap-utilisation';
  const worker = await recordingWorker(env, testDb, emulator, taskQueue);
  await worker.runUntil(async () => {
    const handles = await Promise.all(
      campaigns.map((campaign) =>
        env.client.workflow.start(context.workflowType, {
          workflowId: campaignWorkflowId(campaign.id),
          taskQueue,
          args: [{ campaignId: campaign.id, accountId, author: 'alice' }],
          typedSearchAttributes: [{ key: CampaignIdKey, value: campaign.id }],
        }),
      ),
    );
    for (const handle of handles) {
      // An approval sent before preflight is done would be refused and dropped: wait for it.
      for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
        if (i >= 3000) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
        await env.sleep('100 milliseconds');
      }
      await handle.signal(approveSignal, { by: 'bob' });
    }
    context.progress('approved; skipping days until both queues drain');
    // Hour by hour rather than awaiting the results: a campaign stuck waiting for a person would
    // let the server skip to its execution timeout, and the status says why it stopped.
    const describe = (s: CampaignStatus) =>
      `${s.phase} sent ${s.counts.sent} queue ${s.queueLength} next window ${s.nextWindowAt ?? '-'}${s.needsAttention ? ` needs attention: ${JSON.stringify(s.interventions ?? s.halt)}` : ''}`;
    const stuck = (s: CampaignStatus) =>
      s.phase !== 'awaiting_approval' && (s.needsAttention || s.paused);
    for (let hour = 0; ; hour += 1) {
      const statuses = await Promise.all(handles.map((handle) => handle.query(statusQuery)));
      if (statuses.every((s) => s.phase === 'completed')) break;
      if (hour % 12 === 0 || statuses.some(stuck)) {
        context.progress(`hour ${hour}: ${statuses.map(describe).join(' | ')}`);
      }
      if (hour >= MAX_SKIPPED_HOURS || statuses.some(stuck)) {
        throw new Error(
          `the campaigns did not complete in ${hour} skipped hours: ${statuses.map((st) => `${describe(st)} refused approvals ${JSON.stringify(st.refusedApprovals)} preflight ${JSON.stringify(st.preflight)}`).join(' | ')}`,
        );
      }
      await env.sleep('1 hour');
    }
  });

  const accepted = new Set(emulator.sent().dms.map((dm) => dm.id));
  const sent = (
    await Promise.all(
      campaigns.map((campaign) => sentDeliveriesMatching(testDb.db, campaign.id, {})),
    )
  ).flat();
  const judged = sent.filter(
    (d) => d.channel === 'dm' && d.xEventId !== null && accepted.has(d.xEventId),
  );
  const undated = judged.filter((d) => d.eta === null).length;
  const dated = judged.flatMap((d) => (d.eta ? [{ eta: d.eta, windowDay: d.windowDay }] : []));
  const ledgerDisagrees = dated.filter((d) => d.windowDay !== localDayOf(d.eta, TIME_ZONE)).length;
  const days = countPerLocalDay(
    dated.map((d) => d.eta),
    TIME_ZONE,
  );
  context.progress(
    `${accepted.size} DMs accepted by the emulator, ${sent.length} deliveries sent, ${judged.length} both; per day: ${describeDays(days)}`,
  );
  const expected = CAMPAIGNS * WINNERS_PER_CAMPAIGN;
  if (judged.length !== expected || accepted.size !== expected || undated > 0) {
    throw new Error(
      `expected ${expected} DMs recorded by both the emulator and the deliveries: emulator ${accepted.size}, deliveries sent ${sent.length}, matched ${judged.length}, without eta ${undated}`,
    );
  }
  const figures = capUtilisationFigures(capUtilisation(days, CAP), {
    cap: CAP,
    campaigns: CAMPAIGNS,
    timeZone: TIME_ZONE,
    source: `each sent delivery's eta (the workflow's time at its reservation) whose DM the emulator recorded; ledger day differs for ${ledgerDisagrees}`,
  });
  return figures;
}

export const capUtilisationBench: Benchmark = {
  name: 'cap-utilisation',
  summary: 'DMs per local day / the daily cap, two campaigns sharing one account (time-skipped)',
  run: async (context) => {
    const [server, testDb, emulator] = await Promise.all([
      startTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    try {
      await seedApprovers(testDb.db);
      return await sharedCapFigures({ env: server.env, testDb, emulator }, context);
    } finally {
      await server.teardown();
      await emulator.close();
      await testDb.close();
    }
  },
};
