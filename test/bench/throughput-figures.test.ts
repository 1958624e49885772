/**
 * The engine throughput benchmark's pure parts: send rates from the instants X accepted DMs,
 * their ratio, the median of rounds. The measurement itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRate, median, rateRatio, sendRate } from '../../bench/throughput-figures';

describe('sendRate', () => {
  it('counts the intervals between the first and last DM, in any order', () => {
    // 5 DMs over 2 s: 4 intervals, 2 per second (not 5 / 2).
    const rate = sendRate([3_000, 1_000, 2_500, 1_500, 2_000]);
    assert.deepEqual(rate, { count: 5, seconds: 2, perSecond: 2, longestGapSeconds: 0.5 });
  });

  it('finds the longest wait between consecutive DMs, whatever the order given', () => {
    // Sorted: 0, 100, 200, 1700, 1800: a 1.5 s stall in the middle.
    assert.equal(sendRate([1_800, 0, 1_700, 100, 200]).longestGapSeconds, 1.5);
  });

  it('refuses fewer than two sends and a span of zero', () => {
    assert.throws(() => sendRate([]), /at least two/);
    assert.throws(() => sendRate([1_000]), /at least two/);
    assert.throws(() => sendRate([1_000, 1_000]), /same millisecond/);
    assert.throws(() => sendRate([1_000, Number.NaN]), /not an instant/);
  });

  it('reads in a figure detail with its count and span', () => {
    assert.equal(
      describeRate(sendRate([0, 500, 1_000])),
      '2.0 DMs/s (3 DMs in 1.0 s, longest gap 0.5 s)',
    );
  });
});

describe('rateRatio', () => {
  it('divides the measured rate by the reference', () => {
    assert.equal(rateRatio(8, 10), 0.8);
    assert.equal(rateRatio(21.6, 10.8), 2);
  });

  it('refuses a reference that is not positive', () => {
    assert.throws(() => rateRatio(5, 0), /must be positive/);
    assert.throws(() => rateRatio(5, Number.NaN), /must be positive/);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it('leaves its input in order and refuses an empty list', () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
    assert.throws(() => median([]), /no values/);
  });
});
