/**
 * When the process drills break things, pure and seeded: when a worker is killed mid-send, how
 * long the lives killed in between last, the round-robin that spreads requests over API
 * replicas, and the verdict on a rate limit that replicas must share.
 */
import { seededRandom } from '../domain/seeded-random';

export interface KillMoment {
  /** Kill once X has accepted at least this many DMs of the campaign… */
  afterDms: number;
  /** …and this much later (ms), so the kill falls anywhere in a send, a write or a heartbeat. */
  delayMs: number;
}

/**
 * `kills` moments spread over a send of `sends` DMs: one threshold drawn in each of `kills`
 * equal stretches of the send (never at 0, before anything was sent), ascending, each with a
 * delay below `maxDelayMs`. Spread, not clustered: Temporal counts every kill mid-batch as an
 * attempt of that batch, and its retry backoff doubles with each.
 */
export function killMoments(
  seed: number,
  options: { kills: number; sends: number; maxDelayMs: number },
): KillMoment[] {
  const { kills, sends, maxDelayMs } = options;
  if (!Number.isInteger(kills) || kills < 0) throw new Error(`kills must be a count (${kills})`);
  if (kills > sends - 1) {
    throw new Error(`${kills} distinct kill moments need at least ${kills + 1} sends (${sends})`);
  }
  const random = seededRandom(seed);
  const stretch = (sends - 1) / kills;
  return Array.from({ length: kills }, (_, i) => ({
    afterDms: 1 + Math.floor(i * stretch + random() * stretch),
    delayMs: Math.floor(random() * maxDelayMs),
  }));
}

/**
 * Lifetimes (ms after it polls) of the worker lives killed while the server still holds a batch
 * of a killed life: uniform in [minMs, maxMs).
 */
export function shortLives(seed: number, count: number, minMs: number, maxMs: number): number[] {
  if (!(minMs >= 0 && maxMs > minMs)) throw new Error(`lives need 0 ≤ min < max`);
  const random = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: count }, () => Math.floor(minMs + random() * (maxMs - minMs)));
}

/** The replica that takes request number `index` (0-based) when requests alternate. */
export function replicaFor<T>(replicas: readonly T[], index: number): T {
  if (replicas.length === 0) throw new Error('no replicas to alternate between');
  return replicas[index % replicas.length] as T;
}

/**
 * The per-key rate limit across replicas: `limit` requests a minute with one key, sent
 * alternately to every replica, must let through exactly `limit` (not `limit` × replicas).
 * Returns the failures in words (empty when the replicas shared the count).
 */
export function sharedLimitFailures(
  statuses: readonly number[],
  limit: number,
  replicas: number,
): string[] {
  const allowed = statuses.filter((status) => status !== 429).length;
  const refused = statuses.length - allowed;
  const failures: string[] = [];
  if (allowed > limit) {
    failures.push(
      `${allowed} requests with one key passed a limit of ${limit}/min across ${replicas} replicas: ` +
        `each replica counts on its own / レート制限がレプリカ間で共有されていない`,
    );
  }
  if (allowed < limit) {
    failures.push(
      `only ${allowed} of the ${limit} requests a minute allowed got through / 制限内の要求が拒否された`,
    );
  }
  if (statuses.length > limit && refused === 0) {
    failures.push(`no request over the limit was refused with 429 / 制限超過で 429 が返らない`);
  }
  const other = statuses.filter((status) => status !== 429 && (status < 200 || status >= 300));
  if (other.length > 0) {
    failures.push(
      `${other.length} request(s) answered neither 2xx nor 429 (${[...new Set(other)].join(', ')})`,
    );
  }
  return failures;
}

export interface RestartPlan {
  /** Restart the Temporal dev server once X has accepted this many DMs… */
  temporalAfterDms: number;
  /** …keeping it down this long (ms) before it starts again. */
  temporalDownMs: number;
  /** Restart PostgreSQL once X has accepted this many DMs (after the Temporal restart)… */
  postgresAfterDms: number;
  postgresDownMs: number;
}

/**
 * Seeded moments in a send of `sends` DMs: Temporal goes down in the first half (between 10%
 * and 40% sent), PostgreSQL in the second (between 55% and 85%), each for 0.5–3 s.
 */
export function restartPlan(seed: number, sends: number): RestartPlan {
  if (!Number.isInteger(sends) || sends < 10) throw new Error(`a restart plan needs ≥ 10 sends`);
  const random = seededRandom(seed);
  const between = (low: number, high: number) =>
    Math.floor(sends * low + random() * sends * (high - low));
  const downMs = () => Math.floor(500 + random() * 2500);
  return {
    temporalAfterDms: Math.max(1, between(0.1, 0.4)),
    temporalDownMs: downMs(),
    postgresAfterDms: between(0.55, 0.85),
    postgresDownMs: downMs(),
  };
}
