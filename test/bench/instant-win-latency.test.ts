/**
 * The instant-win latency benchmark's arithmetic: percentiles, the waits X's rate limits and
 * pacing imposed, each entry's total and Kuji's own share, and the figures. The measurement
 * itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tallyActivities } from '../../bench/activity-tally';
import { instantWinFigures, type ScenarioMeasurement } from '../../bench/instant-win-figures';
import {
  coveredMs,
  entryLatencies,
  mergeIntervals,
  percentile,
  rateLimitWaits,
  scenarioSpan,
  summarise,
} from '../../bench/latency';
import { checkFigure } from '../../bench/report';

describe('percentile (nearest rank)', () => {
  it('picks the value at the rank ceil(p/100 × n) of the sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7, 3, 5], 50), 5);
    assert.equal(percentile([7, 3, 5], 99), 7);
    assert.equal(percentile([42], 1), 42);
  });

  it('is NaN without values and refuses a percentile outside (0, 100]', () => {
    assert.ok(Number.isNaN(percentile([], 95)));
    assert.throws(() => percentile([1], 0), /outside/);
    assert.throws(() => percentile([1], 101), /outside/);
  });
});

describe('waits covering a span', () => {
  it('merges overlapping and touching intervals and drops empty ones', () => {
    assert.deepEqual(
      mergeIntervals([
        { startMs: 10, endMs: 20 },
        { startMs: 0, endMs: 5 },
        { startMs: 15, endMs: 30 },
        { startMs: 30, endMs: 35 },
        { startMs: 40, endMs: 40 },
      ]),
      [
        { startMs: 0, endMs: 5 },
        { startMs: 10, endMs: 35 },
      ],
    );
  });

  it('counts only the part of the span the union of waits covers, once', () => {
    const span = { startMs: 100, endMs: 200 };
    assert.equal(coveredMs(span, []), 0);
    assert.equal(coveredMs(span, [{ startMs: 0, endMs: 50 }]), 0);
    assert.equal(coveredMs(span, [{ startMs: 90, endMs: 120 }]), 20);
    // Two overlapping waits (a pacing sleep during a rate-limit wait) count once.
    assert.equal(
      coveredMs(span, [
        { startMs: 150, endMs: 180 },
        { startMs: 160, endMs: 250 },
      ]),
      50,
    );
    assert.equal(coveredMs(span, [{ startMs: 0, endMs: 1000 }]), 100);
  });
});

describe('rateLimitWaits', () => {
  it('runs from the first 429 of a caller and endpoint to X next letting it through', () => {
    const waits = rateLimitWaits(
      [
        { atMs: 0, endpoint: 'dm.send', userId: 'a', status: 201 },
        { atMs: 100, endpoint: 'dm.send', userId: 'a', status: 429 },
        { atMs: 150, endpoint: 'dm.send', userId: 'a', status: 429 },
        // Another caller and another endpoint are not held by that 429.
        { atMs: 160, endpoint: 'dm.send', userId: 'b', status: 201 },
        { atMs: 170, endpoint: 'dm.events', userId: 'a', status: 200 },
        { atMs: 900, endpoint: 'dm.send', userId: 'a', status: 201 },
        { atMs: 950, endpoint: 'dm.send', userId: 'a', status: 201 },
      ],
      2000,
    );
    assert.deepEqual(waits, [{ startMs: 100, endMs: 900 }]);
  });

  it('keeps a wait still open at the end up to the end', () => {
    assert.deepEqual(
      rateLimitWaits([{ atMs: 500, endpoint: 'dm.send', userId: 'a', status: 429 }], 800),
      [{ startMs: 500, endMs: 800 }],
    );
    assert.deepEqual(rateLimitWaits([], 800), []);
  });
});

describe('entryLatencies', () => {
  const entries = [
    { userId: 'u1', enteredAtMs: 990, deliveredAtMs: 1000 },
    { userId: 'u2', enteredAtMs: 990, deliveredAtMs: 1100 },
    { userId: 'u3', enteredAtMs: 990, deliveredAtMs: 1200 },
  ];

  it('times each entry to its first result DM after its delivery, less the waits it spanned', () => {
    const { latencies, missing } = entryLatencies(
      entries,
      [
        { recipientId: 'u1', acceptedAtMs: 1300 },
        { recipientId: 'u1', acceptedAtMs: 1900 }, // a later DM: not the result's acceptance
        { recipientId: 'u2', acceptedAtMs: 1050 }, // before this entry's delivery: an older DM
        { recipientId: 'u2', acceptedAtMs: 1600 },
        { recipientId: 'u9', acceptedAtMs: 1400 },
      ],
      [
        { startMs: 1250, endMs: 1450 }, // a rate-limit wait
        { startMs: 1400, endMs: 1500 }, // a pacing sleep overlapping it
      ],
    );
    assert.deepEqual(missing, ['u3']);
    assert.deepEqual(latencies, [
      { userId: 'u1', totalMs: 300, waitedMs: 50, ownMs: 250, fromEntryMs: 310 },
      { userId: 'u2', totalMs: 500, waitedMs: 250, ownMs: 250, fromEntryMs: 610 },
    ]);
  });

  it('summarises percentiles of the share and the total, and the timeline of a burst', () => {
    const { latencies } = entryLatencies(
      entries,
      [
        { recipientId: 'u1', acceptedAtMs: 1300 },
        { recipientId: 'u2', acceptedAtMs: 1600 },
        { recipientId: 'u3', acceptedAtMs: 2200 },
      ],
      [{ startMs: 1500, endMs: 1700 }],
    );
    const summary = summarise(latencies);
    assert.equal(summary.count, 3);
    assert.deepEqual(summary.total, { p50: 500, p95: 1000, p99: 1000 });
    assert.deepEqual(summary.own, { p50: 400, p95: 800, p99: 800 });
    assert.equal(summary.waitedMs, 0 + 100 + 200);
    assert.equal(summary.fromEntryP95, 1210);
    assert.deepEqual(scenarioSpan(entries, latencies), {
      deliveringMs: 200,
      firstResultMs: 300,
      lastResultMs: 1200,
      deliveryGapP50Ms: 100,
    });
  });
});

describe('instantWinFigures', () => {
  const measured = (p95: number): ScenarioMeasurement => ({
    summary: {
      count: 500,
      own: { p50: 300, p95, p99: p95 + 100 },
      total: { p50: 320, p95: p95 + 20, p99: p95 + 150 },
      fromEntryP95: 5000,
      waitedMs: 1234,
    },
    span: {
      deliveringMs: 26_000,
      firstResultMs: 21_000,
      lastResultMs: 38_000,
      deliveryGapP50Ms: 52,
    },
    rate429s: 3,
    pacingSleeps: 0,
    failedDeliveries: 0,
    whileDelivering: {
      processEntries: { scheduled: 40, cancelRequested: 0, completed: 40 },
      deliverBatch: { scheduled: 39, cancelRequested: 39, completed: 0 },
    },
  });
  const setup = { dmDailyCap: 500, xDmSendLimit: 100_000, xDmWindowSeconds: 900, together: true };

  it("gives Kuji's share at p50, p95 (target under 1 s) and p99, in both languages", () => {
    const figures = instantWinFigures('burst of 500', '500件の同時応募', measured(700), setup);
    assert.deepEqual(
      figures.map((f) => [f.name, f.value, f.unit, f.target]),
      [
        ["instant-win burst of 500: Kuji's share p50", 300, 'ms', null],
        ["instant-win burst of 500: Kuji's share p95", 700, 'ms', { atMost: 1000 }],
        ["instant-win burst of 500: Kuji's share p99", 800, 'ms', null],
      ],
    );
    assert.match(figures[0]?.nameJa ?? '', /500件の同時応募: Kuji 自身の処理時間 p50/);
    const detail = figures[0]?.detail ?? '';
    assert.match(detail, /total p50\/p95\/p99 320 ms\/720 ms\/850 ms minus 1234 ms/);
    assert.match(detail, /3 429s/);
    assert.match(detail, /cap 500\/day, X's DM limit lifted to 100000\/900 s/);
    assert.match(
      detail,
      /delivered the 500 in 26000 ms .*median gap 52 ms.*first result DM 21000 ms/,
    );
    assert.match(
      detail,
      /while they arrived the workflow ran processEntries 40× and started deliverBatch 39× \(39 cancelled for newer entries\)/,
    );
    const [, p95] = figures;
    assert.ok(p95);
    assert.equal(checkFigure(p95).met, true);
    const [, missed] = instantWinFigures('burst of 500', '500件の同時応募', measured(1500), setup);
    assert.ok(missed);
    assert.equal(checkFigure(missed).met, false);
  });

  it('leaves the delivery timeline out for entries that came one at a time', () => {
    const [p50] = instantWinFigures('single entry', '単発の応募', measured(400), {
      ...setup,
      together: false,
    });
    assert.doesNotMatch(p50?.detail ?? '', /delivered the/);
  });
});

describe('tallyActivities', () => {
  const at = (seconds: number) => ({ seconds, nanos: 0 });
  const history: History = {
    events: [
      {
        eventId: 5,
        eventTime: at(10),
        activityTaskScheduledEventAttributes: { activityType: { name: 'deliverBatch' } },
      },
      {
        eventId: 6,
        eventTime: at(20),
        activityTaskScheduledEventAttributes: { activityType: { name: 'processEntries' } },
      },
      {
        eventId: 7,
        eventTime: at(21),
        activityTaskCancelRequestedEventAttributes: { scheduledEventId: 5 },
      },
      {
        eventId: 8,
        eventTime: at(22),
        activityTaskCompletedEventAttributes: { scheduledEventId: 6 },
      },
      {
        eventId: 9,
        eventTime: at(40),
        activityTaskScheduledEventAttributes: { activityType: { name: 'deliverBatch' } },
      },
      {
        eventId: 10,
        eventTime: at(41),
        activityTaskCompletedEventAttributes: { scheduledEventId: 9 },
      },
    ],
  } as unknown as History;

  it('counts scheduled, cancel-requested and completed activities by type within the stretch', () => {
    assert.deepEqual(tallyActivities(history), {
      deliverBatch: { scheduled: 2, cancelRequested: 1, completed: 1 },
      processEntries: { scheduled: 1, cancelRequested: 0, completed: 1 },
    });
    // From 15 s to 40 s: the first batch was scheduled before, its cancellation within.
    assert.deepEqual(tallyActivities(history, 15_000, 40_000), {
      deliverBatch: { scheduled: 0, cancelRequested: 1, completed: 0 },
      processEntries: { scheduled: 1, cancelRequested: 0, completed: 1 },
    });
  });
});
