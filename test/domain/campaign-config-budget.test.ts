import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  configLimits,
  exampleCampaignConfig,
} from '../../domain/campaign-config';

const now = new Date('2026-11-22T03:00:00Z');

function issuePaths(input: unknown): string[] {
  const result = campaignConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('campaignConfigSchema: X API budget and expected entries', () => {
  it('keeps a configuration without them valid, with no budget', () => {
    const parsed = campaignConfigSchema.parse(exampleCampaignConfig(now));
    assert.equal(parsed.budget, undefined);
    assert.equal(parsed.expectedEntries, undefined);
  });

  it('takes a budget in USD and the expected entries', () => {
    const parsed = campaignConfigSchema.parse({
      ...exampleCampaignConfig(now),
      budget: { usd: 25.5 },
      expectedEntries: 2000,
    });
    assert.deepEqual(parsed.budget, { usd: 25.5 });
    assert.equal(parsed.expectedEntries, 2000);
  });

  it('refuses a negative or unbounded budget and a negative or fractional entry count, naming the field', () => {
    const base = exampleCampaignConfig(now);
    assert.deepEqual(issuePaths({ ...base, budget: { usd: -1 } }), ['budget.usd']);
    assert.deepEqual(issuePaths({ ...base, budget: { usd: configLimits.budgetUsd + 1 } }), [
      'budget.usd',
    ]);
    assert.deepEqual(issuePaths({ ...base, budget: {} }), ['budget.usd']);
    assert.deepEqual(issuePaths({ ...base, budget: { usd: '10' } }), ['budget.usd']);
    assert.deepEqual(issuePaths({ ...base, expectedEntries: -3 }), ['expectedEntries']);
    assert.deepEqual(issuePaths({ ...base, expectedEntries: 1.5 }), ['expectedEntries']);
    assert.deepEqual(issuePaths({ ...base, expectedEntries: configLimits.expectedEntries + 1 }), [
      'expectedEntries',
    ]);
  });
});
