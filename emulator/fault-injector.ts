/**
 * Fault injection: rules that fire fault presets (or custom answers) by rate, seeded and
 * reproducible, or as scripted sequences, per endpoint and optionally per user.
 */
import { seededRandom } from '../domain/seeded-random';
import type { EndpointKey } from './endpoints';
import type { FaultRule, FaultSpec } from './scenario';

export interface ActiveFaultRule {
  id: string;
  endpoint: EndpointKey | '*';
  userId?: string;
  fault?: FaultSpec;
  sequence?: (FaultSpec | 'pass')[];
  rate?: number;
  remaining: number;
  applyEffect: boolean;
  fired: number;
}

export interface FaultDecision {
  ruleId: string;
  spec: FaultSpec;
  applyEffect: boolean;
}

export class FaultInjector {
  private rules: ActiveFaultRule[] = [];
  private random: () => number;
  private nextId = 1;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule, userId?: string): ActiveFaultRule {
    const active: ActiveFaultRule = {
      id: `fault-${this.nextId++}`,
      endpoint: rule.endpoint,
      userId,
      fault: rule.fault,
      sequence: rule.sequence ? [...rule.sequence] : undefined,
      rate: rule.rate,
      remaining: rule.count ?? (rule.rate !== undefined ? Number.POSITIVE_INFINITY : 1),
      applyEffect: rule.applyEffect ?? false,
      fired: 0,
    };
    this.rules.push(active);
    return active;
  }

  list(): ActiveFaultRule[] {
    return this.rules.map((rule) => ({
      ...rule,
      sequence: rule.sequence ? [...rule.sequence] : undefined,
    }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any rule claims it. A sequence's 'pass' claims it too. */
  decide(endpoint: EndpointKey, userId: string | undefined): FaultDecision | undefined {
    for (const rule of this.rules) {
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.userId !== undefined && rule.userId !== userId) continue;
      if (rule.sequence) {
        const step = rule.sequence.shift();
        if (rule.sequence.length === 0) this.remove(rule.id);
        if (step === undefined || step === 'pass') return undefined;
        rule.fired += 1;
        return { ruleId: rule.id, spec: step, applyEffect: rule.applyEffect };
      }
      if (!rule.fault) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.fired += 1;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.remove(rule.id);
      return { ruleId: rule.id, spec: rule.fault, applyEffect: rule.applyEffect };
    }
    return undefined;
  }
}
