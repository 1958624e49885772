/**
 * When the process drills break things, pure and seeded: when each life of a worker ends in
 * SIGKILL, the round-robin that spreads requests over API replicas, and the verdict on
 * a rate limit that replicas must share.
 */
import { seededRandom } from '../domain/seeded-random';

export interface KillMoment {
  /** Killed this long (ms) after X accepts the first DM of this life: mid-send. */
  afterFirstDmMs: number;
  /** Killed after this long (ms) alive if no DM went out meanwhile (a batch still held). */
  uptimeMs: number;
}

/**
 * `kills` seeded moments for a worker killed and started again each time. A life that sends is
 * killed `afterFirstDmMs` into its sending (anywhere in a send, a write, a heartbeat); a life that
 * sends nothing — the server still waits for the killed life's batch to miss its heartbeat — is
 * killed after `uptimeMs`, in whatever it is doing (workflow tasks, queries, polls).
 */
export function killMoments(
  seed: number,
  options: { kills: number; maxAfterFirstDmMs: number; minUptimeMs: number; maxUptimeMs: number },
): KillMoment[] {
  const { kills, maxAfterFirstDmMs, minUptimeMs, maxUptimeMs } = options;
  if (!Number.isInteger(kills) || kills < 0) throw new Error(`kills must be a count (${kills})`);
  if (!(minUptimeMs >= 0 && maxUptimeMs > minUptimeMs && maxAfterFirstDmMs > 0)) {
    throw new Error(`uptimes need 0 ≤ min < max (${minUptimeMs}, ${maxUptimeMs})`);
  }
  const random = seededRandom(seed);
  return Array.from({ length: kills }, () => ({
    afterFirstDmMs: Math.floor(random() * maxAfterFirstDmMs),
    uptimeMs: Math.floor(minUptimeMs + random() * (maxUptimeMs - minUptimeMs)),
  }));
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
