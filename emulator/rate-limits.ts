/**
 * Per-user, per-endpoint rate-limit windows with X's headers. A window opens at its first
 * request and resets at a whole second (X's `x-rate-limit-reset` is epoch seconds); it is spent
 * until the clock reaches that second. Rejected (429) requests do not count.
 */
import {
  defaultRateLimits,
  type EndpointKey,
  type EndpointRateLimit,
  type WindowConfig,
} from './endpoints';

interface Counter {
  used: number;
  resetAtMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Which window refused: the endpoint window, the user's 24 h, or the app's 24 h. */
  exhausted?: 'window' | 'userDay' | 'appDay';
  headers: Record<string, string>;
}

export class RateLimiter {
  private config: Record<EndpointKey, EndpointRateLimit | undefined> = { ...defaultRateLimits };
  private counters = new Map<string, Counter>();

  configure(overrides: Partial<Record<EndpointKey, EndpointRateLimit>>): void {
    this.config = { ...this.config, ...overrides };
  }

  reset(): void {
    this.config = { ...defaultRateLimits };
    this.counters.clear();
  }

  limits(): Record<EndpointKey, EndpointRateLimit | undefined> {
    return { ...this.config };
  }

  private counter(key: string, window: WindowConfig, nowMs: number): Counter {
    let counter = this.counters.get(key);
    if (!counter || nowMs >= counter.resetAtMs) {
      counter = {
        used: 0,
        resetAtMs: Math.ceil((nowMs + window.windowSeconds * 1000) / 1000) * 1000,
      };
      this.counters.set(key, counter);
    }
    return counter;
  }

  private headersOf(
    prefix: string,
    window: WindowConfig,
    counter: Counter,
  ): Record<string, string> {
    return {
      [`${prefix}-limit`]: String(window.limit),
      [`${prefix}-remaining`]: String(Math.max(0, window.limit - counter.used)),
      [`${prefix}-reset`]: String(counter.resetAtMs / 1000),
    };
  }

  /** Checks and, when allowed, counts one request. */
  take(endpoint: EndpointKey, callerKey: string, nowMs: number): RateDecision {
    const config = this.config[endpoint];
    if (!config) return { allowed: true, headers: {} };
    const windows: {
      name: 'window' | 'userDay' | 'appDay';
      prefix: string;
      config: WindowConfig;
      counter: Counter;
    }[] = [
      {
        name: 'window',
        prefix: 'x-rate-limit',
        config,
        counter: this.counter(`${endpoint}|${callerKey}|window`, config, nowMs),
      },
    ];
    if (config.userDay) {
      windows.push({
        name: 'userDay',
        prefix: 'x-user-limit-24hour',
        config: config.userDay,
        counter: this.counter(`${endpoint}|${callerKey}|userDay`, config.userDay, nowMs),
      });
    }
    if (config.appDay) {
      windows.push({
        name: 'appDay',
        prefix: 'x-app-limit-24hour',
        config: config.appDay,
        counter: this.counter(`${endpoint}|app|appDay`, config.appDay, nowMs),
      });
    }
    const spent = windows.find((w) => w.counter.used >= w.config.limit);
    if (!spent) for (const w of windows) w.counter.used += 1;
    const headers = Object.assign(
      {},
      ...windows.map((w) => this.headersOf(w.prefix, w.config, w.counter)),
    ) as Record<string, string>;
    return spent ? { allowed: false, exhausted: spent.name, headers } : { allowed: true, headers };
  }

  /** Current headers without counting (for faults that imitate a 429). */
  peek(endpoint: EndpointKey, callerKey: string, nowMs: number): Record<string, string> {
    const config = this.config[endpoint];
    if (!config) return {};
    return this.headersOf(
      'x-rate-limit',
      config,
      this.counter(`${endpoint}|${callerKey}|window`, config, nowMs),
    );
  }

  snapshot(): Record<string, { used: number; resetAt: string }> {
    const out: Record<string, { used: number; resetAt: string }> = {};
    for (const [key, counter] of this.counters) {
      out[key] = { used: counter.used, resetAt: new Date(counter.resetAtMs).toISOString() };
    }
    return out;
  }
}
