/**
 * The API reads benchmark's arithmetic: autocannon's JSON reduced to a round, rounds combined,
 * and the figures against the bare route. The load itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiReadFigures,
  type AutocannonJson,
  combineRounds,
  roundResult,
} from '../../bench/api-read-figures';

const json = (overrides: Partial<AutocannonJson> = {}): AutocannonJson => ({
  duration: 8,
  '2xx': 800,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  latency: { p50: 4, p99: 20 },
  ...overrides,
});

describe('roundResult', () => {
  it('counts only 2xx answers per second, and every failure', () => {
    assert.deepEqual(roundResult(json({ non2xx: 5, errors: 2, timeouts: 1 })), {
      okPerSecond: 100,
      p50Ms: 4,
      p99Ms: 20,
      failures: 8,
    });
  });

  it('refuses a round that did not run', () => {
    assert.throws(() => roundResult(json({ duration: 0 })), /ran for 0 s/);
  });
});

describe('combineRounds', () => {
  it('averages throughput and percentiles and sums failures', () => {
    const combined = combineRounds([
      roundResult(json()),
      roundResult(json({ '2xx': 1600, latency: { p50: 6, p99: 40 }, non2xx: 1 })),
    ]);
    assert.deepEqual(combined, { okPerSecond: 150, p50Ms: 5, p99Ms: 30, failures: 1 });
    assert.throws(() => combineRounds([]), /no rounds/);
  });
});

describe('apiReadFigures', () => {
  it('gives reads/s, p99 and both ratios to the bare route, bilingual, no targets', () => {
    const status = { okPerSecond: 50, p50Ms: 200, p99Ms: 1000, failures: 0 };
    const bare = { okPerSecond: 10_000, p50Ms: 1, p99Ms: 10, failures: 2 };
    const figures = apiReadFigures(
      status,
      bare,
      { connections: 10, secondsPerRound: 8, rounds: 2 },
      'a note',
    );
    assert.deepEqual(
      figures.map((f) => [f.name, f.value, f.unit, f.target]),
      [
        ['API status reads per second', 50, 'reads/s', null],
        ['API status read p99', 1000, 'ms', null],
        ['API status reads / bare route reads', 0.5, '%', null],
        ['API status read p99 / bare route p99', 100, '×', null],
      ],
    );
    for (const figure of figures) assert.match(figure.nameJa, /API 状態取得/);
    assert.match(
      figures[0]?.detail ?? '',
      /10 connections, 2 × 8 s rounds.*a note.*0 failed status reads, 2 failed bare reads/,
    );
    assert.match(figures[1]?.detail ?? '', /p50 200\.0 ms.*10000\.0 reads\/s, p99 10\.0 ms/);
  });
});
