/** Preflight shows the campaign's estimated X API cost, and warns when it passes the budget. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createPreflightActivities, type StoredPreflight } from '../../activities/preflight';
import { defaultXPrices } from '../../config/x-prices';
import { findCampaignById } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runActivity } from '../x/support';

describe('runPreflight: X API cost', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await testDb?.close();
  });

  async function preflight(overrides: Partial<CampaignConfigInput>) {
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: participants(0, 'cost'),
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 10, overrides }),
    });
    const activities = createPreflightActivities({ db: testDb.db, xPrices: defaultXPrices });
    const run = await runActivity(() => activities.runPreflight({ campaignId: campaign.id }));
    assert.equal(run.error, undefined);
    const stored = (await findCampaignById(testDb.db, campaign.id))?.preflight as StoredPreflight;
    return { summary: run.result, findings: stored.findings };
  }

  it('warns with the figures when the estimate passes the budget', async () => {
    // 500 entries looked up ($5.00) and 10 win DMs ($0.15): over a $1 budget.
    const { summary, findings } = await preflight({ expectedEntries: 500, budget: { usd: 1 } });
    const cost = findings.find((f) => f.code.startsWith('x_cost_'));
    assert.equal(cost?.code, 'x_cost_over_budget');
    assert.equal(cost?.severity, 'warning');
    assert.match(cost?.en ?? '', /about \$5\.15 \(500 entries, 10 winners, 10 messages through X/);
    assert.match(cost?.ja ?? '', /約 \$5\.15 です（応募 500 件、当選 10 件/);
    assert.match(cost?.ja ?? '', /予算 \$1\.00 を超えています/);
    assert.ok((summary?.warnings ?? 0) >= 1);
    assert.equal(findings.filter((f) => f.severity === 'blocking').length, 0);
  });

  it('informs of the estimate within the budget, or without one', async () => {
    const within = await preflight({ expectedEntries: 500, budget: { usd: 100 } });
    const cost = within.findings.find((f) => f.code.startsWith('x_cost_'));
    assert.deepEqual([cost?.code, cost?.severity], ['x_cost_estimate', 'info']);
    await testDb.truncate();
    const none = await preflight({});
    const unset = none.findings.find((f) => f.code.startsWith('x_cost_'));
    assert.match(unset?.en ?? '', /No budget \(budget\.usd\) is set/);
  });
});
