/**
 * The API reads benchmark's arithmetic: autocannon's JSON summary of a round reduced to what the
 * figures need, rounds of one route combined, and the figures against the bare route. Pure.
 */
import type { Figure } from './report';

/** The parts of `autocannon --json` output used here. */
export interface AutocannonJson {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}

export interface RoundResult {
  /** Answered 2xx per second of the round. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, errors and timeouts. */
  failures: number;
}

export function roundResult(json: AutocannonJson): RoundResult {
  if (!(json.duration > 0)) throw new Error(`autocannon ran for ${json.duration} s`);
  return {
    okPerSecond: json['2xx'] / json.duration,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    failures: json.non2xx + json.errors + json.timeouts,
  };
}

/** Rounds of one route: mean throughput and mean percentiles, failures summed. */
export function combineRounds(rounds: readonly RoundResult[]): RoundResult {
  if (rounds.length === 0) throw new Error('no rounds to combine');
  const mean = (pick: (r: RoundResult) => number) =>
    rounds.reduce((sum, r) => sum + pick(r), 0) / rounds.length;
  return {
    okPerSecond: mean((r) => r.okPerSecond),
    p50Ms: mean((r) => r.p50Ms),
    p99Ms: mean((r) => r.p99Ms),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
  };
}

export interface LoadSetup {
  connections: number;
  secondsPerRound: number;
  rounds: number;
}

const fixed = (value: number) => value.toFixed(1);

export function apiReadFigures(
  status: RoundResult,
  bare: RoundResult,
  setup: LoadSetup,
  note: string,
): Figure[] {
  const load = `${setup.connections} connections, ${setup.rounds} × ${setup.secondsPerRound} s rounds alternating with the bare route`;
  const bareSays = `bare Fastify route {ok:true} in the same process: ${fixed(bare.okPerSecond)} reads/s, p99 ${fixed(bare.p99Ms)} ms`;
  const failures = `${status.failures} failed status reads, ${bare.failures} failed bare reads`;
  return [
    {
      name: 'API status reads per second',
      nameJa: 'API 状態取得の毎秒件数',
      value: status.okPerSecond,
      unit: 'reads/s',
      target: null,
      detail: `GET /v1/campaigns/:id answered 2xx per second (${load}; ${note}); ${failures}`,
    },
    {
      name: 'API status read p99',
      nameJa: 'API 状態取得の p99 応答時間',
      value: status.p99Ms,
      unit: 'ms',
      target: null,
      detail: `p50 ${fixed(status.p50Ms)} ms under the same load; ${bareSays}`,
    },
    {
      name: 'API status reads / bare route reads',
      nameJa: 'API 状態取得 / 素の Fastify ルート（毎秒件数の比）',
      // A percentage: the ratio is far below 1 and the table prints two decimals.
      value: (100 * status.okPerSecond) / bare.okPerSecond,
      unit: '%',
      target: null,
      detail: `${fixed(status.okPerSecond)} / ${fixed(bare.okPerSecond)} reads/s`,
    },
    {
      name: 'API status read p99 / bare route p99',
      nameJa: 'API 状態取得 / 素の Fastify ルート（p99 の比）',
      value: status.p99Ms / bare.p99Ms,
      unit: '×',
      target: null,
      detail: `${fixed(status.p99Ms)} / ${fixed(bare.p99Ms)} ms`,
    },
  ];
}
