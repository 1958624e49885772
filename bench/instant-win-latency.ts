/**
 * Instant-win latency (issue #14): an entry delivered by X's webhook → its result DM accepted by
 * X, on the wall clock of a live stack (CLI dev server, PostgreSQL, emulator, worker and API).
 * Single entries one at a time, then a burst of 500. Kuji's own share leaves out the time X's
 * rate limits (the emulator's 429s until X let the caller through) and pacing sleeps (recorded
 * by the worker's pacing sleep) covered of each entry's span.
 */
import { applyAction, DEMO_SENDER_USER_ID, DEMO_SENDER_USERNAME } from '../emulator';
import { type Participant, participants } from '../test/support/campaign-world';
import { statusQuery } from '../workflows/messages';
import { tallyActivities } from './activity-tally';
import type { BenchContext, Benchmark } from './benchmark';
import { instantWinFigures, type ScenarioSetup } from './instant-win-figures';
import {
  entryLatencies,
  type EntryTiming,
  type Interval,
  rateLimitWaits,
  scenarioSpan,
  summarise,
} from './latency';
import { startCollectingInstantWin } from './live-campaign';
import { type LiveStack, loadWorld, startLiveStack } from './live-stack';
import type { Figure } from './report';

const SINGLE_ENTRIES = 30;
const BURST_ENTRIES = 500;
/** A campaign's cap: X's account-level ceiling of about 500 a day (domain/quota.ts). */
const DM_DAILY_CAP = 500;
/** Quiet time between two single entries, so each meets an idle campaign. */
const SINGLE_GAP_MS = 300;
/** Long enough that a slow moment of Kuji (an armed check X is slow to answer holds collecting) shows as a figure, not an abort. */
const SINGLE_TIMEOUT_MS = 90_000;
const BURST_TIMEOUT_MS = 150_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A participant DMs the keyword on X; returns the entry's dm.received event index. */
function enter(stack: LiveStack, person: Participant, keyword: string): EntryMark {
  const enteredAtMs = Date.now();
  applyAction(stack.emulator, {
    type: 'dm',
    from: person.username,
    to: DEMO_SENDER_USERNAME,
    text: `${keyword}します`,
  });
  const event = stack.emulator.state.events.findLast(
    (e) => e.eventType === 'dm.received' && e.filterUserId === DEMO_SENDER_USER_ID,
  );
  if (!event) throw new Error(`no dm.received event for ${person.username}`);
  return { person, enteredAtMs, eventIndex: event.index };
}

interface EntryMark {
  person: Participant;
  enteredAtMs: number;
  eventIndex: number;
}

function answered(stack: LiveStack): Set<string> {
  return new Set(stack.emulator.sent().dms.map((dm) => dm.recipientId));
}

/** Where the unanswered entries stand: X's webhook deliveries, stored events, deliveries. */
async function whereEntriesStand(stack: LiveStack, userIds: string[]): Promise<string> {
  const { db } = stack.testDb;
  const webhook = stack.emulator.webhooks.deliveries
    .slice(-5)
    .map((d) => `${d.eventType} ${d.status}${d.error ? ` ${d.error}` : ''}`);
  const events = await db
    .selectFrom('entry_events')
    .select(['x_user_id', 'processed_at'])
    .where('x_user_id', 'in', userIds)
    .execute();
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['state', 'error_code'])
    .where('x_user_id', 'in', userIds)
    .execute();
  const campaigns = await db
    .selectFrom('campaigns')
    .select(['id', 'phase', 'workflow_id'])
    .execute();
  // What the workflow says, and the last things it did.
  const workflows = await Promise.all(
    campaigns.map(async ({ workflow_id: id }) => {
      if (!id) return null;
      const handle = stack.env.client.workflow.getHandle(id);
      const status = await handle.query(statusQuery).catch((e: unknown) => String(e));
      const history = await handle.fetchHistory();
      const last = (history.events ?? []).slice(-12).map((event) => {
        const type = Object.keys(event).find((key) => key.endsWith('EventAttributes')) ?? '?';
        const activity = event.activityTaskScheduledEventAttributes?.activityType?.name;
        return activity ? `${type}(${activity})` : type;
      });
      return { id, status, last };
    }),
  );
  return JSON.stringify({ webhook, events, deliveries, campaigns, workflows });
}

async function untilAnswered(stack: LiveStack, ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = answered(stack);
    const left = ids.filter((id) => !done.has(id));
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${left.length} of ${ids.length} entrants got no result DM in ${timeoutMs} ms; ` +
          (await whereEntriesStand(stack, left)),
      );
    }
    await sleep(5);
  }
}

/** Timings of the marked entries from the emulator's records, with the waits to leave out. */
function measure(stack: LiveStack, marks: EntryMark[], from: number) {
  const deliveries = stack.emulator.webhooks.deliveries;
  const failedDeliveries = deliveries.filter(
    (d) => !d.ok && marks.some((m) => m.eventIndex === d.eventIndex),
  ).length;
  const entries: EntryTiming[] = marks.map((mark) => {
    const delivered = deliveries.find((d) => d.eventIndex === mark.eventIndex && d.ok);
    if (!delivered) throw new Error(`X's webhook never delivered ${mark.person.username}'s entry`);
    return {
      userId: mark.person.id,
      deliveredAtMs: Date.parse(delivered.attemptedAt),
      enteredAtMs: mark.enteredAtMs,
    };
  });
  const results = stack.emulator.sent().dms.map((dm) => ({
    recipientId: dm.recipientId,
    acceptedAtMs: Date.parse(dm.createdAt),
  }));
  const requests = stack.emulator.requests().filter((r) => r.atMs >= from);
  const rateWaits = rateLimitWaits(requests, Date.now());
  const pacingWaits = stack.pacingWaits.filter((w) => w.endMs >= from);
  const waits: Interval[] = [...rateWaits, ...pacingWaits];
  const { latencies, missing } = entryLatencies(entries, results, waits);
  if (missing.length > 0) throw new Error(`${missing.length} entrants have no result DM`);
  return {
    firstDeliveredMs: Math.min(...entries.map((e) => e.deliveredAtMs)),
    summary: summarise(latencies),
    span: scenarioSpan(entries, latencies),
    rate429s: requests.filter((r) => r.status === 429).length,
    pacingSleeps: pacingWaits.length,
    failedDeliveries,
  };
}

async function singleEntries(stack: LiveStack, context: BenchContext, people: Participant[]) {
  await startCollectingInstantWin(stack, {
    keyword: 'たんぱつ',
    dmDailyCap: DM_DAILY_CAP,
    stock: people.length,
    workflowType: context.workflowType,
  });
  const from = Date.now();
  const marks: EntryMark[] = [];
  for (const [i, person] of people.entries()) {
    const mark = enter(stack, person, 'たんぱつ');
    marks.push(mark);
    await untilAnswered(stack, [person.id], SINGLE_TIMEOUT_MS);
    if ((i + 1) % 10 === 0) context.progress(`single entries: ${i + 1}/${people.length} answered`);
    await sleep(SINGLE_GAP_MS);
  }
  return measure(stack, marks, from);
}

async function burst(stack: LiveStack, context: BenchContext, people: Participant[]) {
  // A second sender account: a campaign's account sends at most ~500 DMs a day.
  const campaign = await startCollectingInstantWin(stack, {
    keyword: 'バースト',
    dmDailyCap: DM_DAILY_CAP,
    stock: people.length,
    workflowType: context.workflowType,
  });
  const from = Date.now();
  const marks = people.map((person) => enter(stack, person, 'バースト'));
  const ticker = setInterval(() => {
    const done = answered(stack);
    context.progress(
      `burst: ${people.filter((p) => done.has(p.id)).length}/${people.length} answered`,
    );
  }, 10_000);
  try {
    await untilAnswered(
      stack,
      people.map((p) => p.id),
      BURST_TIMEOUT_MS,
    );
  } finally {
    clearInterval(ticker);
  }
  const measured = measure(stack, marks, from);
  // What the workflow did while X's webhook was still delivering the burst.
  const history = await stack.env.client.workflow.getHandle(campaign.workflowId).fetchHistory();
  const delivering = {
    startMs: measured.firstDeliveredMs,
    endMs: measured.firstDeliveredMs + measured.span.deliveringMs,
  };
  return {
    ...measured,
    whileDelivering: tallyActivities(history, delivering.startMs, delivering.endMs),
  };
}

async function instantWinLatency(context: BenchContext): Promise<Figure[]> {
  context.progress('starting the dev server, PostgreSQL, the emulator, a worker and the API');
  const stack = await startLiveStack({ taskQueue: 'bench-instant-win' });
  const workflows: string[] = [];
  try {
    const people = participants(SINGLE_ENTRIES + BURST_ENTRIES, 'iw');
    await loadWorld(stack, people);
    const limits = stack.emulator.rateLimits.limits()['dm.send'];

    context.progress(`${SINGLE_ENTRIES} single entries, one at a time`);
    const single = await singleEntries(stack, context, people.slice(0, SINGLE_ENTRIES));
    context.progress(`a burst of ${BURST_ENTRIES} entries at once`);
    const many = await burst(stack, context, people.slice(SINGLE_ENTRIES));
    const setup: Omit<ScenarioSetup, 'together'> = {
      dmDailyCap: DM_DAILY_CAP,
      xDmSendLimit: limits?.limit ?? null,
      xDmWindowSeconds: limits?.windowSeconds ?? null,
    };
    return [
      ...instantWinFigures('single entry', '単発の応募', single, { ...setup, together: false }),
      ...instantWinFigures(`burst of ${BURST_ENTRIES}`, `${BURST_ENTRIES}件の同時応募`, many, {
        ...setup,
        together: true,
      }),
    ];
  } finally {
    const ids = await stack.testDb.db.selectFrom('campaigns').select('workflow_id').execute();
    workflows.push(...ids.flatMap((r) => (r.workflow_id ? [r.workflow_id] : [])));
    for (const id of workflows) {
      await stack.env.client.workflow
        .getHandle(id)
        .terminate('benchmark measured')
        .catch(() => undefined);
    }
    await stack.close((message) => context.progress(message));
  }
}

export const instantWinLatencyBenchmark: Benchmark = {
  name: 'instant-win-latency',
  summary: `webhook entry → result DM accepted, p50/p95/p99 for ${SINGLE_ENTRIES} single entries and a burst of ${BURST_ENTRIES} (live dev server)`,
  run: instantWinLatency,
};
