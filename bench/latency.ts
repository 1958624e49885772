/**
 * Latency arithmetic for the instant-win benchmark: percentiles, the waits X's rate limits and
 * pacing imposed (as intervals on the wall clock), and each entry's total time and Kuji's own
 * share of it (the total minus the part of it covered by those waits). Pure.
 */

export interface Interval {
  startMs: number;
  endMs: number;
}

/** The nearest-rank percentile (p in (0, 100]) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} is outside (0, 100]`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** The union of the intervals as disjoint intervals, in order; empty ones are dropped. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.endMs > i.startMs).sort((a, b) => a.startMs - b.startMs);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged.at(-1);
    if (last && next.startMs <= last.endMs) last.endMs = Math.max(last.endMs, next.endMs);
    else merged.push({ ...next });
  }
  return merged;
}

/** How many milliseconds of `span` the union of `waits` covers. */
export function coveredMs(span: Interval, waits: readonly Interval[]): number {
  let covered = 0;
  for (const wait of mergeIntervals(waits)) {
    const start = Math.max(span.startMs, wait.startMs);
    const end = Math.min(span.endMs, wait.endMs);
    if (end > start) covered += end - start;
  }
  return covered;
}

/** An X request as the emulator logged it (only what the rate-limit waits need). */
export interface LoggedRequest {
  atMs: number;
  endpoint?: string;
  userId?: string;
  status: number;
}

/**
 * The time Kuji was held by X's rate limits: from each 429 X answered to the next request of the
 * same caller to the same endpoint that X did not refuse (or `endMs` when none came). Measured
 * from X's side, so it holds whatever Kuji does on a 429 (wait inline, retry the activity).
 */
export function rateLimitWaits(log: readonly LoggedRequest[], endMs: number): Interval[] {
  const waits: Interval[] = [];
  const open = new Map<string, number>();
  for (const request of [...log].sort((a, b) => a.atMs - b.atMs)) {
    const key = `${request.endpoint ?? request.status}|${request.userId ?? ''}`;
    const since = open.get(key);
    if (request.status === 429) {
      if (since === undefined) open.set(key, request.atMs);
    } else if (since !== undefined) {
      waits.push({ startMs: since, endMs: request.atMs });
      open.delete(key);
    }
  }
  for (const since of open.values()) waits.push({ startMs: since, endMs: Math.max(since, endMs) });
  return waits;
}

export interface EntryTiming {
  userId: string;
  /** When the entry's webhook delivery reached for Kuji (X's POST). */
  deliveredAtMs: number;
  /** When the entry was made on X (before X's webhook queue). */
  enteredAtMs: number;
}

export interface ResultTiming {
  recipientId: string;
  /** When X accepted the result DM. */
  acceptedAtMs: number;
}

export interface EntryLatency {
  userId: string;
  /** Webhook delivery → result DM accepted. */
  totalMs: number;
  /** The part of totalMs spent waiting for X's rate limits or pacing. */
  waitedMs: number;
  /** totalMs − waitedMs. */
  ownMs: number;
  /** Entry made on X → result DM accepted (X's webhook queue included). */
  fromEntryMs: number;
}

/**
 * Each entry's latency to its first result DM accepted after its delivery; entries without one
 * are listed as missing.
 */
export function entryLatencies(
  entries: readonly EntryTiming[],
  results: readonly ResultTiming[],
  waits: readonly Interval[],
): { latencies: EntryLatency[]; missing: string[] } {
  const merged = mergeIntervals(waits);
  const latencies: EntryLatency[] = [];
  const missing: string[] = [];
  for (const entry of entries) {
    const accepted = results
      .filter((r) => r.recipientId === entry.userId && r.acceptedAtMs >= entry.deliveredAtMs)
      .reduce((first, r) => Math.min(first, r.acceptedAtMs), Number.POSITIVE_INFINITY);
    if (!Number.isFinite(accepted)) {
      missing.push(entry.userId);
      continue;
    }
    const totalMs = accepted - entry.deliveredAtMs;
    const waitedMs = coveredMs({ startMs: entry.deliveredAtMs, endMs: accepted }, merged);
    latencies.push({
      userId: entry.userId,
      totalMs,
      waitedMs,
      ownMs: totalMs - waitedMs,
      fromEntryMs: accepted - entry.enteredAtMs,
    });
  }
  return { latencies, missing };
}

export interface LatencySummary {
  count: number;
  own: { p50: number; p95: number; p99: number };
  total: { p50: number; p95: number; p99: number };
  fromEntryP95: number;
  /** Sum of waitedMs over the entries. */
  waitedMs: number;
}

export function summarise(latencies: readonly EntryLatency[]): LatencySummary {
  const of = (pick: (l: EntryLatency) => number) => {
    const values = latencies.map(pick);
    return {
      p50: percentile(values, 50),
      p95: percentile(values, 95),
      p99: percentile(values, 99),
    };
  };
  return {
    count: latencies.length,
    own: of((l) => l.ownMs),
    total: of((l) => l.totalMs),
    fromEntryP95: percentile(
      latencies.map((l) => l.fromEntryMs),
      95,
    ),
    waitedMs: latencies.reduce((sum, l) => sum + l.waitedMs, 0),
  };
}

/** When the entries were delivered and answered, relative to the first delivery. */
export interface ScenarioSpan {
  /** First to last webhook delivery of the entries. */
  deliveringMs: number;
  /** First delivery → first result DM accepted. */
  firstResultMs: number;
  /** First delivery → last result DM accepted. */
  lastResultMs: number;
  /** Median gap between consecutive webhook deliveries (X posts one at a time: Kuji's answer time). */
  deliveryGapP50Ms: number;
}

export function scenarioSpan(
  entries: readonly EntryTiming[],
  latencies: readonly EntryLatency[],
): ScenarioSpan {
  const delivered = entries.map((e) => e.deliveredAtMs).sort((a, b) => a - b);
  const first = delivered[0] ?? Number.NaN;
  const last = delivered.at(-1) ?? Number.NaN;
  const byUser = new Map(entries.map((e) => [e.userId, e.deliveredAtMs]));
  const accepted = latencies.map((l) => (byUser.get(l.userId) ?? Number.NaN) + l.totalMs);
  const gaps = delivered.slice(1).map((at, i) => at - (delivered[i] ?? at));
  return {
    deliveringMs: last - first,
    firstResultMs: Math.min(...accepted) - first,
    lastResultMs: Math.max(...accepted) - first,
    deliveryGapP50Ms: percentile(gaps, 50),
  };
}
