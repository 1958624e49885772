/** The drills' judge and their report: exactly one DM per winner, the cap per day, the arguments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysOverCap, exactlyOnceFailures, judgeExactlyOnce } from '../../drills/judge';
import { formatDrillTable, parseDrillArgs } from '../../drills/report';

const dm = (recipientId: string, senderId = 'brand') => ({ senderId, recipientId, text: 'hi' });

describe('the exactly-once judge', () => {
  it('passes when every expected recipient has exactly one DM from the sender', () => {
    const verdict = judgeExactlyOnce([dm('a'), dm('b'), dm('a', 'other')], 'brand', ['a', 'b']);
    assert.deepEqual(verdict, { missing: [], duplicated: [], unexpected: [], sent: 2 });
    assert.deepEqual(exactlyOnceFailures(verdict), []);
  });

  it('names the missing, the duplicated and the unexpected', () => {
    const verdict = judgeExactlyOnce([dm('a'), dm('a'), dm('c')], 'brand', ['a', 'b']);
    assert.deepEqual(verdict.missing, ['b']);
    assert.deepEqual(verdict.duplicated, [{ recipientId: 'a', count: 2 }]);
    assert.deepEqual(verdict.unexpected, ['c']);
    const failures = exactlyOnceFailures(verdict);
    assert.equal(failures.length, 3);
    assert.match(failures[0] ?? '', /1 recipient\(s\) got no DM.*b/);
    assert.match(failures[1] ?? '', /a×2/);
  });

  it('lists the days over the cap only', () => {
    const perDay = new Map([
      ['2026-12-02', 100],
      ['2026-12-01', 101],
    ]);
    assert.deepEqual(daysOverCap(perDay, 100), [{ day: '2026-12-01', count: 101 }]);
  });
});

describe('the drills report', () => {
  it('takes --only and --seed and refuses what it does not know', () => {
    const known = { drills: ['worker-kill', 'x-faults'], defaultSeed: 7 };
    assert.deepEqual(parseDrillArgs([], known), { only: [], seed: 7 });
    assert.deepEqual(parseDrillArgs(['--only', 'x-faults', '--seed', '42'], known), {
      only: ['x-faults'],
      seed: 42,
    });
    assert.throws(() => parseDrillArgs(['--only', 'nope'], known), /Unknown drill\(s\) nope/);
    assert.throws(() => parseDrillArgs(['--seed', '-1'], known), /whole number/);
    assert.throws(() => parseDrillArgs(['--fast'], known), /Unknown argument --fast/);
  });

  it('prints each drill with its result and figures', () => {
    const table = formatDrillTable([
      {
        name: 'x-faults',
        passed: true,
        seconds: 61.2,
        seed: 1,
        figures: { dms: 300 },
        failures: [],
      },
      { name: 'worker-kill', passed: false, seconds: 12, seed: 1, figures: {}, failures: ['x'] },
    ]);
    assert.match(table, /x-faults\s+HELD 合格\s+61 s\s+dms=300/);
    assert.match(table, /worker-kill\s+FAILED 不合格/);
  });
});
