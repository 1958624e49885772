/**
 * The X API budget in deliverBatch: before a send whose X write would take the campaign's counted
 * cost past `budget.usd`, the batch stops with `x_budget_reached` and sends nothing more; the stop
 * a person sees carries the reason, figures and remedy, and is the one the workflow opens.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCampaignRuntimeActivities } from '../../activities';
import {
  createDeliverBatchActivity,
  type DeliverBatchResult,
} from '../../activities/delivery/deliver-batch';
import { createXBudgetGuard } from '../../activities/delivery/x-budget';
import { createStopsActivities } from '../../activities/stops';
import { createXAccess } from '../../activities/x-access';
import { defaultXPrices } from '../../config/x-prices';
import { listDeliveries } from '../../db/repositories/deliveries';
import { listInterventions } from '../../db/repositories/interventions';
import { sumAccountWideXUsageByKind, sumXUsageByKind } from '../../db/repositories/x-api-usage';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { haltKind } from '../../domain/interventions';
import { DEMO_SENDER_USERNAME, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';

const T0 = Date.parse('2026-12-03T01:00:00.000Z');
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('deliverBatch with an X API budget', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
  });
  afterEach(async () => {
    await testDb.truncate();
  });
  after(async () => {
    await emulator?.close();
    await testDb?.close();
  });

  async function queuedWins(
    prefix: string,
    count: number,
    overrides: Partial<CampaignConfigInput>,
    /** People who DM the sender account for something else (another campaign's keyword). */
    inbox: ReturnType<typeof participants> = [],
  ) {
    const people = participants(count, prefix);
    const scenario = worldScenario([...people, ...inbox]);
    scenario.dms = inbox.map((p) => ({ from: p.username, to: DEMO_SENDER_USERNAME, text: 'B' }));
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: count, overrides }),
    });
    const runtime = createCampaignRuntimeActivities({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
      }),
      publicBaseUrl: 'http://kuji.test',
    });
    await runtime.prepareCampaign({ campaignId: campaign.id });
    await runtime.processEntries({
      campaignId: campaign.id,
      now: new Date().toISOString(),
      limit: 100,
    });
    assert.equal((await runtime.drawCampaign({ campaignId: campaign.id })).queued, count);
    return { campaignId: campaign.id, accountId, runtime };
  }

  /** One batch attempt as the campaign's workflow runs it (its id attributes the X calls). */
  async function runBatch(
    campaignId: string,
    runtime: ReturnType<typeof createCampaignRuntimeActivities>,
  ) {
    const sends: string[] = [];
    const batch = createDeliverBatchActivity({
      db: testDb.db,
      sendDelivery: (input) => {
        sends.push(input.deliveryId);
        return runtime.sendDelivery(input);
      },
      pacingSleep: () => Promise.resolve(),
      random: () => 0,
      clock: () => T0,
      xBudget: createXBudgetGuard({ db: testDb.db, prices: defaultXPrices }),
    });
    const environment = new MockActivityEnvironment(
      {
        workflowExecution: { workflowId: `campaign:${campaignId}`, runId: 'run-1' },
        scheduledTimestampMs: T0,
        currentAttemptScheduledTimestampMs: T0,
      },
      { logger: quiet },
    );
    const result: DeliverBatchResult = await environment.run(() =>
      batch.deliverBatch({
        campaignId,
        now: new Date(T0).toISOString(),
        maxSends: 100,
        pacing: { minGapSeconds: 0, jitterSeconds: 0 },
        safety: { errorRateThreshold: 0.5, errorRateWindow: 20, errorRateMinAttempts: 10 },
        recentFailures: [],
      }),
    );
    return { result, sends };
  }

  it('stops before the send that would pass the budget, sends nothing more, and names why', async () => {
    // Two DMs at $0.015 fit in $0.03 exactly; the third would not.
    const { campaignId, runtime } = await queuedWins('budget', 4, { budget: { usd: 0.03 } });
    const dmsBefore = emulator.sent().dms.length;
    const first = await runBatch(campaignId, runtime);

    assert.equal(first.result.sent, 2);
    assert.equal(first.sends.length, 2);
    const queued = (await listDeliveries(testDb.db, { campaignId, limit: 100 })).filter(
      (d) => d.state === 'queued',
    );
    assert.equal(queued.length, 2);
    const stop = first.result.stop;
    assert.equal(stop.kind, 'halted');
    assert.ok(stop.kind === 'halted');
    assert.equal(stop.code, 'x_budget_reached');
    assert.equal(stop.category, 'budget');
    assert.ok(queued.some((d) => d.id === stop.deliveryId));
    assert.equal(emulator.sent().dms.length - dmsBefore, 2);
    assert.deepEqual(await sumXUsageByKind(testDb.db, campaignId), { dm_create: 2 });

    // The stop a person sees: a send_error with the reason, the figures and the remedy.
    const [open] = await listInterventions(testDb.db, { campaignId, status: 'open' });
    assert.equal(open?.kind, 'send_error');
    const details = open?.details as {
      code: string;
      deliveryId: string;
      reason: { ja: string; en: string };
      remedy: { ja: string; en: string };
      xCost: unknown;
    };
    assert.equal(details.code, 'x_budget_reached');
    assert.equal(details.deliveryId, stop.deliveryId);
    assert.match(details.reason.ja, /予算 \$0\.03 のうち \$0\.03 を使用済み/);
    assert.match(details.reason.en, /\$0\.03 spent of \$0\.03; the next send costs \$0\.015;/);
    assert.match(details.remedy.en, /Raise budget\.usd/);
    assert.match(details.remedy.ja, /budget\.usd を引き上げ/);
    assert.deepEqual(details.xCost, {
      spentUsd: 0.03,
      nextUsd: 0.015,
      budgetUsd: 0.03,
      nextKind: 'dm_create',
      pricesReadOn: defaultXPrices.readOn,
    });

    // What the workflow's stopSending opens for this halt is that same stop, not a second one.
    const stops = createStopsActivities({ db: testDb.db });
    const adopted = await stops.openIntervention({
      campaignId,
      accountId: open.accountId!,
      kind: haltKind(stop.category),
      dedupeKey: `${stop.code}:${stop.deliveryId}`,
      details: { code: stop.code, category: stop.category, deliveryId: stop.deliveryId },
      openedBy: 'kuji',
    });
    assert.equal(adopted.id, open?.id);
    assert.equal((await listInterventions(testDb.db, { campaignId, status: 'open' })).length, 1);

    // Resumed with the budget unchanged, the next batch sends nothing and stops again.
    const second = await runBatch(campaignId, runtime);
    assert.equal(second.sends.length, 0);
    assert.equal(second.result.stop.kind, 'halted');
    assert.equal(emulator.sent().dms.length - dmsBefore, 2);
  });

  it("does not charge the account's whole DM inbox, read while polling, to the campaign's budget", async () => {
    // Two DMs at $0.015 fit in $0.03. The account's inbox holds ten DMs of another campaign's
    // keyword ($0.10 to read); this campaign's polling happens to read them first today.
    const others = participants(10, 'othercampaign').map((p, i) => ({
      ...p,
      id: String(1810000000000000000n + BigInt(i)),
    }));
    const { campaignId, accountId, runtime } = await queuedWins(
      'smallbudget',
      2,
      { budget: { usd: 0.03 } },
      others,
    );
    const x = createXAccess({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      requestTimeoutMs: 2_000,
    });
    const polling = new MockActivityEnvironment(
      { workflowExecution: { workflowId: `campaign:${campaignId}`, runId: 'run-1' } },
      { logger: quiet },
    );
    const inbox: { items: unknown[] } = await polling.run(() =>
      x.xListAccountDmEvents({ accountId }),
    );
    assert.equal(inbox.items.length, 10);
    assert.deepEqual(await sumAccountWideXUsageByKind(testDb.db, campaignId), {
      dm_event_read: 10,
    });

    const run = await runBatch(campaignId, runtime);
    assert.deepEqual([run.result.sent, run.result.stop], [2, { kind: 'drained' }]);
    assert.deepEqual(await sumXUsageByKind(testDb.db, campaignId), { dm_create: 2 });
    assert.deepEqual(await listInterventions(testDb.db, { status: 'open' }), []);
  });

  it('sends everything a budget covers, and a campaign without one is not limited', async () => {
    const covered = await queuedWins('roomy', 3, { budget: { usd: 1 } });
    const run = await runBatch(covered.campaignId, covered.runtime);
    assert.deepEqual([run.result.sent, run.result.stop], [3, { kind: 'drained' }]);

    const unlimited = await queuedWins('nobudget', 3, {});
    const free = await runBatch(unlimited.campaignId, unlimited.runtime);
    assert.deepEqual([free.result.sent, free.result.stop], [3, { kind: 'drained' }]);
    assert.deepEqual(await listInterventions(testDb.db, { status: 'open' }), []);
  });
});
