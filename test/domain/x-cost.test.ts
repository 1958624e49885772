import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultXPrices } from '../../config/x-prices';
import {
  estimateXUsage,
  exceedsBudget,
  formatUsd,
  priceUsage,
  replyCostKind,
} from '../../domain/x-cost';

describe('priceUsage', () => {
  it('multiplies units by the unit price per kind and adds them up without drift', () => {
    const cost = priceUsage({ post_read: 3, user_read: 2, dm_create: 1 }, defaultXPrices);
    const line = (kind: string) => cost.lines.find((l) => l.kind === kind);
    assert.deepEqual(line('post_read'), {
      kind: 'post_read',
      units: 3,
      unitUsd: 0.005,
      usd: 0.015,
    });
    assert.equal(line('user_read')?.usd, 0.02);
    assert.equal(line('dm_create')?.usd, 0.015);
    assert.equal(line('post_create_url')?.units, 0);
    assert.equal(cost.totalUsd, 0.05);
    // 0.1 + 0.2 in floating point is not 0.3; a hundred thousand half-cent reads are exactly $500.
    assert.equal(priceUsage({ post_read: 100_000 }, defaultXPrices).totalUsd, 500);
  });

  it('ignores negative or fractional units and rounds to a hundredth of a cent', () => {
    const prices = {
      ...defaultXPrices,
      usdPerUnit: { ...defaultXPrices.usdPerUnit, post_read: 0.00012 },
    };
    assert.equal(priceUsage({ post_read: 1 }, prices).totalUsd, 0.0001);
    assert.equal(priceUsage({ post_read: -5, user_read: 1.9 }, defaultXPrices).totalUsd, 0.01);
  });
});

describe('exceedsBudget', () => {
  it('allows a send that lands exactly on the budget and refuses one past it', () => {
    assert.equal(exceedsBudget(0.985, 0.015, 1), false);
    assert.equal(exceedsBudget(0.99, 0.015, 1), true);
    assert.equal(exceedsBudget(0, 0.015, 0), true);
  });
});

describe('estimateXUsage', () => {
  it('re-reads each list the rules need once per collecting day, looks each participant up once and writes one message per recipient', () => {
    const usage = estimateXUsage({
      expectedEntries: 1000,
      winners: 10,
      losersMessaged: 0,
      ruleTypes: ['repost', 'follow'],
      collectingDays: 7,
      messageWrite: 'dm_create',
    });
    assert.deepEqual(usage, {
      post_read: 0,
      user_read: 7000 + 1000,
      follow_read: 7000,
      dm_event_read: 0,
      dm_create: 10,
      post_create: 0,
      post_create_url: 0,
    });
    // $80 + $70 + $0.15
    assert.equal(priceUsage(usage, defaultXPrices).totalUsd, 150.15);
  });

  it('prices a reply with a link at the dearer rate and a DM keyword campaign without list reads', () => {
    const usage = estimateXUsage({
      expectedEntries: 200,
      winners: 5,
      losersMessaged: 195,
      ruleTypes: ['dm_keyword'],
      collectingDays: 0.5,
      messageWrite: 'post_create_url',
    });
    assert.equal(usage.user_read, 200);
    assert.equal(usage.post_create_url, 200);
    assert.equal(priceUsage(usage, defaultXPrices).totalUsd, 42);
  });
});

describe('formatUsd and replyCostKind', () => {
  it('shows half cents and cents without trailing zeros', () => {
    assert.equal(formatUsd(0.015), '$0.015');
    assert.equal(formatUsd(0.03), '$0.03');
    assert.equal(formatUsd(150.15), '$150.15');
    assert.equal(formatUsd(2), '$2.00');
    assert.equal(formatUsd(0.0001), '$0.0001');
  });

  it('prices a reply with a link, or the personal result link, as a post with a URL', () => {
    assert.equal(replyCostKind('Congratulations! {resultUrl}'), 'post_create_url');
    assert.equal(replyCostKind('See https://kuji.example/r/1'), 'post_create_url');
    assert.equal(replyCostKind('Thanks for entering!'), 'post_create');
  });
});
