/**
 * Cap utilisation's pure parts (bench/cap-utilisation-figures.ts): the local day of an instant,
 * DMs counted per local day with the empty days in between, each day's share of the cap and the
 * figures. The measurement itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capUtilisation,
  capUtilisationFigures,
  countPerLocalDay,
  localDayOf,
} from '../../bench/cap-utilisation-figures';
import { checkFigure } from '../../bench/report';

const at = (iso: string) => new Date(iso);
const times = (iso: string, n: number) => Array.from({ length: n }, () => at(iso));

describe('the local day of an instant', () => {
  it('is the account’s calendar day, not UTC’s', () => {
    // 15:00 UTC is midnight in Tokyo.
    assert.equal(localDayOf(at('2026-12-03T14:59:59.999Z'), 'Asia/Tokyo'), '2026-12-03');
    assert.equal(localDayOf(at('2026-12-03T15:00:00.000Z'), 'Asia/Tokyo'), '2026-12-04');
    assert.equal(localDayOf(at('2026-12-03T15:00:00.000Z'), 'UTC'), '2026-12-03');
  });

  it('follows daylight saving time where the zone has it', () => {
    // New York is UTC-4 in July, UTC-5 in December.
    assert.equal(localDayOf(at('2026-07-02T03:30:00Z'), 'America/New_York'), '2026-07-01');
    assert.equal(localDayOf(at('2026-12-02T04:30:00Z'), 'America/New_York'), '2026-12-01');
  });
});

describe('DMs per local day', () => {
  it('counts each day from the first to the last, a day without DMs as 0', () => {
    const days = countPerLocalDay(
      [
        ...times('2026-12-03T23:00:00Z', 2), // Tokyo 12-04
        ...times('2026-12-03T01:00:00Z', 3), // Tokyo 12-03
        ...times('2026-12-05T16:00:00Z', 1), // Tokyo 12-06
      ],
      'Asia/Tokyo',
    );
    assert.deepEqual(days, [
      { day: '2026-12-03', count: 3 },
      { day: '2026-12-04', count: 2 },
      { day: '2026-12-05', count: 0 },
      { day: '2026-12-06', count: 1 },
    ]);
  });

  it('crosses a month end', () => {
    const days = countPerLocalDay(
      [at('2026-11-30T03:00:00Z'), at('2026-12-01T03:00:00Z')],
      'Asia/Tokyo',
    );
    assert.deepEqual(
      days.map((d) => d.day),
      ['2026-11-30', '2026-12-01'],
    );
  });

  it('has no days without DMs', () => {
    assert.deepEqual(countPerLocalDay([], 'Asia/Tokyo'), []);
  });
});

describe('the share of the cap', () => {
  it('takes the minimum over the days before the queue drained and the maximum over all', () => {
    const u = capUtilisation(
      [
        { day: 'a', count: 100 },
        { day: 'b', count: 100 },
        { day: 'c', count: 100 },
        { day: 'd', count: 60 },
      ],
      100,
    );
    assert.equal(u.fullDays, 3);
    assert.equal(u.minFull, 1);
    assert.equal(u.max, 1);
    assert.deepEqual(
      u.days.map((d) => d.ratio),
      [1, 1, 1, 0.6],
    );
  });

  it('shows a wasted day in the minimum and a day over the cap in the maximum', () => {
    const u = capUtilisation(
      [
        { day: 'a', count: 100 },
        { day: 'b', count: 0 },
        { day: 'c', count: 130 },
        { day: 'd', count: 30 },
      ],
      100,
    );
    assert.equal(u.minFull, 0);
    assert.equal(u.max, 1.3);
  });

  it('has no full day when one day drained the queue', () => {
    const u = capUtilisation([{ day: 'a', count: 40 }], 100);
    assert.equal(u.fullDays, 0);
    assert.ok(Number.isNaN(u.minFull));
    assert.equal(u.max, 0.4);
  });

  it('refuses a cap that is not positive', () => {
    assert.throws(() => capUtilisation([], 0), /positive/);
  });
});

describe('the cap utilisation figures', () => {
  const context = { cap: 100, campaigns: 2, timeZone: 'Asia/Tokyo', source: 'eta' };

  it('pass when every full day used the cap and no day went over it', () => {
    const days = [
      { day: '2026-12-04', count: 100 },
      { day: '2026-12-05', count: 100 },
      { day: '2026-12-06', count: 100 },
      { day: '2026-12-07', count: 60 },
    ];
    const [min, max] = capUtilisationFigures(capUtilisation(days, 100), context).map(checkFigure);
    assert.equal(min?.value, 1);
    assert.equal(min?.met, true);
    assert.equal(max?.value, 1);
    assert.equal(max?.met, true);
    assert.match(
      min?.detail ?? '',
      /2026-12-04 100, 2026-12-05 100, 2026-12-06 100, 2026-12-07 60/,
    );
    assert.match(min?.detail ?? '', /2 campaigns sharing one account, cap 100\/day/);
    assert.ok(min?.nameJa);
  });

  it('miss when a full day fell short or a day went over', () => {
    const days = [
      { day: '2026-12-04', count: 90 },
      { day: '2026-12-05', count: 101 },
      { day: '2026-12-06', count: 10 },
    ];
    const [min, max] = capUtilisationFigures(capUtilisation(days, 100), context).map(checkFigure);
    assert.equal(min?.value, 0.9);
    assert.equal(min?.met, false);
    assert.equal(max?.value, 1.01);
    assert.equal(max?.met, false);
  });

  it('never pass without a full day to judge', () => {
    const [min] = capUtilisationFigures(
      capUtilisation([{ day: '2026-12-04', count: 50 }], 100),
      context,
    ).map(checkFigure);
    assert.equal(min?.met, false);
  });
});
