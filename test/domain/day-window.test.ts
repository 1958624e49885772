import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDaysToDayKey,
  deliveryEtas,
  localDayKey,
  planDeliveries,
  startOfLocalDay,
  startOfNextLocalDay,
  windowPlan,
} from '../../domain/day-window';

const at = (iso: string) => new Date(iso);
const hours = (n: number) => n * 3_600_000;

describe('localDayKey', () => {
  it('uses Asia/Tokyo when no timezone is given', () => {
    assert.equal(localDayKey(at('2026-01-01T14:59:59Z')), '2026-01-01');
    assert.equal(localDayKey(at('2026-01-01T15:00:00Z')), '2026-01-02');
  });

  it('follows the offset in force in America/New_York, standard and daylight time', () => {
    assert.equal(localDayKey(at('2026-01-15T04:59:59Z'), 'America/New_York'), '2026-01-14');
    assert.equal(localDayKey(at('2026-01-15T05:00:00Z'), 'America/New_York'), '2026-01-15');
    assert.equal(localDayKey(at('2026-07-15T03:59:59Z'), 'America/New_York'), '2026-07-14');
    assert.equal(localDayKey(at('2026-07-15T04:00:00Z'), 'America/New_York'), '2026-07-15');
  });

  it('handles a half-hour offset (Asia/Kolkata, UTC+5:30)', () => {
    assert.equal(localDayKey(at('2026-06-15T18:29:59Z'), 'Asia/Kolkata'), '2026-06-15');
    assert.equal(localDayKey(at('2026-06-15T18:30:00Z'), 'Asia/Kolkata'), '2026-06-16');
  });

  it('rejects an invalid date and an unknown timezone', () => {
    assert.throws(() => localDayKey(new Date(NaN)), RangeError);
    assert.throws(() => localDayKey(at('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons'), RangeError);
  });
});

describe('addDaysToDayKey', () => {
  it('crosses month, year and leap-day boundaries', () => {
    assert.equal(addDaysToDayKey('2026-01-31', 1), '2026-02-01');
    assert.equal(addDaysToDayKey('2026-12-31', 1), '2027-01-01');
    assert.equal(addDaysToDayKey('2028-02-28', 1), '2028-02-29');
    assert.equal(addDaysToDayKey('2026-03-01', -1), '2026-02-28');
  });

  it('rejects malformed or non-existent day keys', () => {
    assert.throws(() => addDaysToDayKey('2026-02-30', 1), RangeError);
    assert.throws(() => addDaysToDayKey('2026-2-3', 1), RangeError);
  });
});

describe('startOfLocalDay', () => {
  it('is local midnight in Asia/Tokyo', () => {
    assert.equal(startOfLocalDay('2026-04-01').toISOString(), '2026-03-31T15:00:00.000Z');
  });

  it('is local midnight in Asia/Kolkata', () => {
    assert.equal(
      startOfLocalDay('2026-06-16', 'Asia/Kolkata').toISOString(),
      '2026-06-15T18:30:00.000Z',
    );
  });

  it('gives the 23-hour and 25-hour days of America/New_York their true starts', () => {
    const tz = 'America/New_York';
    const springForward = startOfLocalDay('2026-03-08', tz);
    const dayAfterSpring = startOfLocalDay('2026-03-09', tz);
    assert.equal(springForward.toISOString(), '2026-03-08T05:00:00.000Z');
    assert.equal(dayAfterSpring.toISOString(), '2026-03-09T04:00:00.000Z');
    assert.equal(dayAfterSpring.getTime() - springForward.getTime(), hours(23));

    const fallBack = startOfLocalDay('2026-11-01', tz);
    const dayAfterFall = startOfLocalDay('2026-11-02', tz);
    assert.equal(fallBack.toISOString(), '2026-11-01T04:00:00.000Z');
    assert.equal(dayAfterFall.toISOString(), '2026-11-02T05:00:00.000Z');
    assert.equal(dayAfterFall.getTime() - fallBack.getTime(), hours(25));
  });

  it('starts a day whose midnight is skipped by DST at the moment clocks jump (America/Santiago)', () => {
    const start = startOfLocalDay('2026-09-06', 'America/Santiago');
    assert.equal(start.toISOString(), '2026-09-06T04:00:00.000Z');
    assert.equal(localDayKey(new Date(start.getTime() - 1000), 'America/Santiago'), '2026-09-05');
  });

  it('starts the day after a fall-back at midnight once, at the second midnight (America/Santiago)', () => {
    assert.equal(
      startOfLocalDay('2026-04-05', 'America/Santiago').toISOString(),
      '2026-04-05T04:00:00.000Z',
    );
  });

  it('starts a day the zone skipped together with the following day (Pacific/Apia, 2011-12-30)', () => {
    const skipped = startOfLocalDay('2011-12-30', 'Pacific/Apia');
    assert.equal(skipped.toISOString(), '2011-12-30T10:00:00.000Z');
    assert.equal(localDayKey(skipped, 'Pacific/Apia'), '2011-12-31');
  });
});

describe('startOfNextLocalDay', () => {
  it('returns the next Tokyo midnight from any instant of the day', () => {
    const expected = '2026-01-01T15:00:00.000Z';
    assert.equal(startOfNextLocalDay(at('2025-12-31T15:00:00Z')).toISOString(), expected);
    assert.equal(startOfNextLocalDay(at('2026-01-01T14:59:59.999Z')).toISOString(), expected);
  });

  it('is correct on both sides of the New York DST changes', () => {
    const tz = 'America/New_York';
    assert.equal(
      startOfNextLocalDay(at('2026-03-07T12:00:00Z'), tz).toISOString(),
      '2026-03-08T05:00:00.000Z',
    );
    assert.equal(
      startOfNextLocalDay(at('2026-03-08T12:00:00Z'), tz).toISOString(),
      '2026-03-09T04:00:00.000Z',
    );
    // 01:30 happens twice on 2026-11-01; both belong to the same day.
    for (const repeatedHour of ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z']) {
      assert.equal(
        startOfNextLocalDay(at(repeatedHour), tz).toISOString(),
        '2026-11-02T05:00:00.000Z',
      );
    }
  });

  it('honours the half-hour offset of Asia/Kolkata', () => {
    assert.equal(
      startOfNextLocalDay(at('2026-06-15T20:00:00Z'), 'Asia/Kolkata').toISOString(),
      '2026-06-16T18:30:00.000Z',
    );
  });

  it('is always later than the instant and opens a different local day', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    for (const timeZone of zones) {
      for (let step = 0; step < 400; step++) {
        const instant = new Date(Date.UTC(2026, 0, 1) + step * hours(22.25));
        const next = startOfNextLocalDay(instant, timeZone);
        assert.ok(next > instant, `${timeZone} ${instant.toISOString()}`);
        assert.equal(
          localDayKey(next, timeZone),
          addDaysToDayKey(localDayKey(instant, timeZone), 1),
        );
        assert.equal(
          localDayKey(new Date(next.getTime() - 1), timeZone),
          localDayKey(instant, timeZone),
        );
      }
    }
  });
});

function countPerDay(etas: Date[], timeZone: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const eta of etas) {
    const key = localDayKey(eta, timeZone);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('deliveryEtas', () => {
  const tokyoMorning = at('2026-04-01T01:00:00Z'); // 10:00 JST

  it('spreads 250 recipients with a cap of 100 over three local days as 100/100/50', () => {
    const input = { now: tokyoMorning, cap: 100, usedToday: 0, queueLength: 250, minGapMs: 30_000 };
    const etas = deliveryEtas(input);
    assert.equal(etas.length, 250);
    assert.deepEqual(
      [...countPerDay(etas, 'Asia/Tokyo')],
      [
        ['2026-04-01', 100],
        ['2026-04-02', 100],
        ['2026-04-03', 50],
      ],
    );
    assert.deepEqual(
      windowPlan(input).map((day) => [day.dayKey, day.count, day.windowStart.toISOString()]),
      [
        ['2026-04-01', 100, '2026-03-31T15:00:00.000Z'],
        ['2026-04-02', 100, '2026-04-01T15:00:00.000Z'],
        ['2026-04-03', 50, '2026-04-02T15:00:00.000Z'],
      ],
    );
  });

  it('sends today from now, and later days from the window start plus position × gap', () => {
    const gap = 30_000;
    const etas = deliveryEtas({
      now: tokyoMorning,
      cap: 100,
      usedToday: 0,
      queueLength: 250,
      minGapMs: gap,
    });
    const secondWindow = Date.parse('2026-04-01T15:00:00Z');
    const thirdWindow = Date.parse('2026-04-02T15:00:00Z');
    assert.equal(etas[0]?.getTime(), tokyoMorning.getTime());
    assert.equal(etas[99]?.getTime(), tokyoMorning.getTime() + 99 * gap);
    assert.equal(etas[100]?.getTime(), secondWindow);
    assert.equal(etas[101]?.getTime(), secondWindow + gap);
    assert.equal(etas[200]?.getTime(), thirdWindow);
    assert.equal(etas[249]?.getTime(), thirdWindow + 49 * gap);
  });

  it('counts the slots already used today', () => {
    const plan = windowPlan({
      now: tokyoMorning,
      cap: 100,
      usedToday: 40,
      queueLength: 100,
      minGapMs: 0,
    });
    assert.deepEqual(
      plan.map((day) => day.count),
      [60, 40],
    );
  });

  it('starts tomorrow when today is already over the cap', () => {
    const etas = deliveryEtas({
      now: tokyoMorning,
      cap: 10,
      usedToday: 12,
      queueLength: 3,
      minGapMs: 1000,
    });
    assert.equal(etas[0]?.toISOString(), '2026-04-01T15:00:00.000Z');
  });

  it('moves sends that the gap carries past midnight into the next window and its cap', () => {
    const lateEvening = at('2026-04-01T14:50:00Z'); // 23:50 JST
    const gap = 5 * 60_000;
    const etas = deliveryEtas({
      now: lateEvening,
      cap: 3,
      usedToday: 0,
      queueLength: 7,
      minGapMs: gap,
    });
    assert.deepEqual(
      etas.map((eta) => eta.toISOString()),
      [
        '2026-04-01T14:50:00.000Z',
        '2026-04-01T14:55:00.000Z',
        '2026-04-01T15:00:00.000Z',
        '2026-04-01T15:05:00.000Z',
        '2026-04-01T15:10:00.000Z',
        '2026-04-02T15:00:00.000Z',
        '2026-04-02T15:05:00.000Z',
      ],
    );
  });

  it('never plans more than the cap per local day, keeps order and the minimum gap', () => {
    const cases = [
      { timeZone: 'Asia/Tokyo', now: at('2026-04-01T14:30:00Z'), cap: 7, minGapMs: 240_000 },
      {
        timeZone: 'America/New_York',
        now: at('2026-03-07T20:00:00Z'),
        cap: 40,
        minGapMs: 3_600_000,
      },
      {
        timeZone: 'America/New_York',
        now: at('2026-10-31T23:00:00Z'),
        cap: 100,
        minGapMs: 900_000,
      },
      { timeZone: 'Asia/Kolkata', now: at('2026-06-15T17:00:00Z'), cap: 25, minGapMs: 60_000 },
    ];
    for (const { timeZone, now, cap, minGapMs } of cases) {
      const etas = deliveryEtas({ now, timeZone, cap, usedToday: 3, queueLength: 300, minGapMs });
      const counts = countPerDay(etas, timeZone);
      const firstDay = localDayKey(now, timeZone);
      assert.ok((counts.get(firstDay) ?? 0) <= cap - 3, `${timeZone}: slots already used today`);
      for (const [day, count] of counts) assert.ok(count <= cap, `${timeZone} ${day}: ${count}`);
      for (let i = 1; i < etas.length; i++) {
        const gap = (etas[i] as Date).getTime() - (etas[i - 1] as Date).getTime();
        assert.ok(gap >= minGapMs, `${timeZone} position ${i}`);
      }
    }
  });

  it('opens New York windows at the DST-correct instants', () => {
    const plan = windowPlan({
      now: at('2026-03-07T15:00:00Z'),
      timeZone: 'America/New_York',
      cap: 100,
      usedToday: 0,
      queueLength: 250,
      minGapMs: 60_000,
    });
    assert.deepEqual(
      plan.map((day) => [day.dayKey, day.count, day.firstEta.toISOString()]),
      [
        ['2026-03-07', 100, '2026-03-07T15:00:00.000Z'],
        ['2026-03-08', 100, '2026-03-08T05:00:00.000Z'],
        ['2026-03-09', 50, '2026-03-09T04:00:00.000Z'],
      ],
    );
    assert.equal(plan[2]?.lastEta.toISOString(), '2026-03-09T04:49:00.000Z');
  });

  it('numbers positions in queue order', () => {
    const planned = planDeliveries({
      now: tokyoMorning,
      cap: 2,
      usedToday: 0,
      queueLength: 5,
      minGapMs: 0,
    });
    assert.deepEqual(
      planned.map((delivery) => [delivery.position, delivery.dayKey]),
      [
        [0, '2026-04-01'],
        [1, '2026-04-01'],
        [2, '2026-04-02'],
        [3, '2026-04-02'],
        [4, '2026-04-03'],
      ],
    );
  });

  it('returns nothing for an empty queue and refuses a cap that admits no delivery', () => {
    assert.deepEqual(
      deliveryEtas({ now: tokyoMorning, cap: 0, usedToday: 0, queueLength: 0, minGapMs: 0 }),
      [],
    );
    assert.throws(
      () => deliveryEtas({ now: tokyoMorning, cap: 0, usedToday: 0, queueLength: 1, minGapMs: 0 }),
      RangeError,
    );
    assert.throws(
      () => deliveryEtas({ now: tokyoMorning, cap: 5, usedToday: 0, queueLength: 1, minGapMs: -1 }),
      RangeError,
    );
  });
});
