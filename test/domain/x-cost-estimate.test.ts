import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultXPrices } from '../../config/x-prices';
import {
  campaignConfigSchema,
  type CampaignConfigInput,
  exampleCampaignConfig,
} from '../../domain/campaign-config';
import { estimateCampaignCost, xCostFinding } from '../../domain/x-cost-estimate';

const now = new Date('2026-11-22T03:00:00Z');

function config(overrides: Partial<CampaignConfigInput> = {}) {
  return campaignConfigSchema.parse({ ...exampleCampaignConfig(now), ...overrides });
}

describe('estimateCampaignCost', () => {
  it('prices the expected entries and winners of a repost + follow draw', () => {
    const estimate = estimateCampaignCost(
      config({
        expectedEntries: 1000,
        templates: { win: { dm: '{name} won! {resultUrl}' }, lose: { dm: '{name}, thanks!' } },
        schedule: {
          startAt: '2026-12-01T00:00:00Z',
          endAt: '2026-12-07T12:00:00Z',
          timezone: 'Asia/Tokyo',
        },
      }),
      defaultXPrices,
    );
    assert.equal(estimate.entriesAssumed, false);
    assert.deepEqual([estimate.winners, estimate.messages, estimate.collectingDays], [10, 1000, 7]);
    // Reposters and followers re-read every UTC day, a profile lookup each, a DM to everyone.
    assert.deepEqual(estimate.usage, {
      post_read: 0,
      user_read: 7000 + 1000,
      follow_read: 7000,
      dm_event_read: 0,
      dm_create: 1000,
      post_create: 0,
      post_create_url: 0,
    });
    assert.equal(estimate.cost.totalUsd, 80 + 70 + 15);
    assert.equal(estimate.budgetUsd, null);
    assert.equal(estimate.overBudget, false);
  });

  it('prices a reply carrying the result link at the with-URL rate, the dearest channel', () => {
    const estimate = estimateCampaignCost(
      config({
        expectedEntries: 50,
        templates: {
          win: { dm: '{name} won {prize} {resultUrl}', reply: '{name} see {resultUrl}' },
          lose: {},
        },
      }),
      defaultXPrices,
    );
    assert.equal(estimate.usage.post_create_url, 10);
    assert.equal(estimate.usage.dm_create, 0);
    assert.equal(estimate.messages, 10);
  });

  it('stands the winners in for unset expected entries and warns past the budget', () => {
    const estimate = estimateCampaignCost(config({ budget: { usd: 0.05 } }), defaultXPrices);
    assert.equal(estimate.entriesAssumed, true);
    assert.equal(estimate.expectedEntries, 10);
    assert.equal(estimate.overBudget, true);
    const finding = xCostFinding(estimate, defaultXPrices);
    assert.equal(finding.code, 'x_cost_over_budget');
    assert.equal(finding.severity, 'warning');
    assert.equal(finding.path, 'budget.usd');
    assert.match(finding.en, /^Estimated X API cost: about \$\d+\.\d\d/);
    assert.match(finding.en, /over the budget of \$0\.05/);
    assert.match(finding.en, /expectedEntries is not set/);
    assert.match(finding.ja, /X API費用の見込みは約 \$/);
    assert.match(finding.ja, /予算 \$0\.05 を超えています/);
    assert.match(finding.ja, /2026-12-03 時点/);
  });

  it('is information within the budget', () => {
    const within = estimateCampaignCost(
      config({ expectedEntries: 10, budget: { usd: 10_000 } }),
      defaultXPrices,
    );
    const finding = xCostFinding(within, defaultXPrices);
    assert.deepEqual([finding.code, finding.severity], ['x_cost_estimate', 'info']);
    assert.match(finding.en, /Within the budget of \$10000\.00/);
    assert.match(finding.ja, /予算 \$10000\.00 の範囲内です/);
  });
});
