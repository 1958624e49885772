/**
 * The campaign workflow from approval to report on the time-skipping server, sending real DMs
 * through twitter-api-v2 to the X emulator, with PostgreSQL as the quota ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { XAccess } from '../../activities/x-access';
import { findDraw } from '../../db/repositories/draws';
import { listDeliveries } from '../../db/repositories/deliveries';
import { listInterventions } from '../../db/repositories/interventions';
import { findReport } from '../../db/repositories/reports';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { addDaysToDayKey } from '../../domain/day-window';
import { verifyDraw } from '../../domain/lottery';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { campaignV2 } from '../../workflows';
import { approveSignal, statusQuery } from '../../workflows/messages';
import { CampaignIdKey, campaignWorkflowId } from '../../workflows/search-attributes';
import type { CampaignWorkflowResult } from '../../workflows/types';
import { demoSenderCredentials, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  type Participant,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { historiesOf } from '../support/campaign-runs';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey, seedApprovers } from '../support/fixtures';
import { runScenario } from '../support/scenario';
import {
  createTimeSkippingEnv,
  testActivities,
  testWorker,
  workflowBundle,
} from '../support/temporal';

/** Real time one scenario may take before it fails with what its workflows were doing. */
const SCENARIO_DEADLINE_MS = 300_000;

describe('campaign workflow delivery', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let queue = 0;
  let lastFirstRunId = '';

  /** Everything the SDK, the worker and the activities log in this file. */
  const logs: string[] = [];
  const runs: { workflowId: string; firstRunId: string }[] = [];

  before(async () => {
    Runtime.install({
      logger: new DefaultLogger('DEBUG', (entry) => {
        logs.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`);
      }),
    });
    [env, testDb, emulator] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startXEmulator({ port: 0, holdTimeoutMs: 300 }),
    ]);
    await seedApprovers(testDb.db);
  });
  after(async () => {
    await env?.teardown();
    await emulator?.close();
    await testDb?.close();
  });

  type SendDm = XAccess['xSendDm'];

  /** A worker with the real activities; `wrapSendDm` lets a test interpose on X sends. */
  async function runWorker<T>(
    work: () => Promise<T>,
    wrapSendDm?: (send: SendDm) => SendDm,
  ): Promise<T> {
    queue += 1;
    const worker = await testWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: `delivery-${queue}`,
      activities: testActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: 'http://kuji.test',
        x: { requestTimeoutMs: 150 },
        ...(wrapSendDm
          ? { interposeX: (x) => ({ ...x, xSendDm: wrapSendDm((input) => x.xSendDm(input)) }) }
          : {}),
      }),
      workflowBundle: await workflowBundle(),
    });
    const firstRun = runs.length;
    return runScenario(
      worker,
      {
        deadlineMs: SCENARIO_DEADLINE_MS,
        handles: () =>
          // The latest run of each: a campaign may have continued as new.
          runs.slice(firstRun).map((run) => env.client.workflow.getHandle(run.workflowId)),
        env,
      },
      work,
    );
  }

  async function runCampaign(
    campaignId: string,
    accountId: string,
    options: { continueAsNewAfterSends?: number } = {},
  ): Promise<CampaignWorkflowResult> {
    const handle = await env.client.workflow.start(campaignV2, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: `delivery-${queue}`,
      args: [
        {
          campaignId,
          accountId,
          author: 'alice',
          ...(options.continueAsNewAfterSends ? { options } : {}),
        },
      ],
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    lastFirstRunId = handle.firstExecutionRunId;
    runs.push({ workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId });
    // An approval sent before preflight is done would be refused and dropped: wait for it.
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'awaiting_approval'; i += 1) {
      if (i >= 3000) throw new Error(`${handle.workflowId} never reached awaiting_approval`);
      await env.sleep('100 milliseconds');
    }
    await handle.signal(approveSignal, { by: 'bob' });
    return handle.result();
  }

  async function sentPerDay(campaignIds: string[]) {
    const rows = await testDb.db
      .selectFrom('deliveries')
      .select(['window_day', (eb) => eb.fn.countAll<string>().as('n')])
      .where('campaign_id', 'in', campaignIds)
      .where('state', '=', 'sent')
      .groupBy('window_day')
      .orderBy('window_day')
      .execute();
    return rows.map((r) => ({ day: r.window_day as string, count: Number(r.n) }));
  }

  function dmsTo(people: Participant[]) {
    const ids = new Set(people.map((p) => p.id));
    return emulator.sent().dms.filter((dm) => ids.has(dm.recipientId));
  }

  it('sends 250 winners under a cap of 100 as exactly 100, 100 and 50 DMs on three Tokyo days', async () => {
    const people = participants(250, 'cap');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: 100 });
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 250 }),
    });

    const result = await runWorker(() => runCampaign(campaign.id, accountId));

    assert.equal(result.outcome, 'completed');
    assert.deepEqual(result.report, {
      entries: 250,
      eligible: 250,
      winners: 250,
      delivered: 250,
      failed: 0,
    });
    const days = await sentPerDay([campaign.id]);
    assert.deepEqual(
      days.map((d) => d.count),
      [100, 100, 50],
    );
    const first = days[0]?.day ?? '';
    assert.deepEqual(
      days.map((d) => d.day),
      [first, addDaysToDayKey(first, 1), addDaysToDayKey(first, 2)],
    );
    const dms = dmsTo(people);
    assert.equal(dms.length, 250);
    assert.equal(
      new Set(dms.map((dm) => dm.recipientId)).size,
      250,
      'every winner got exactly one DM',
    );
    const quota = await testDb.db
      .selectFrom('dm_quota_days')
      .selectAll()
      .where('account_id', '=', accountId)
      .execute();
    assert.ok(
      quota.every((day) => day.used <= day.cap),
      'never over the cap',
    );

    const stored = await findReport(testDb.db, campaign.id);
    const report = stored?.report as { perDay: { count: number }[]; funnel: { delivered: number } };
    assert.deepEqual(
      report.perDay.map((d) => d.count),
      [100, 100, 50],
    );
    assert.equal(report.funnel.delivered, 250);
  });

  it('shares one account’s daily cap between two campaigns', async () => {
    const people = participants(150, 'shared');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db, { dmDailyCap: 100 });
    // The server's clock, not the wall's: the first test skipped it days ahead.
    const now = new Date(await env.currentTimeMs());
    const first = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: people.slice(0, 75),
      config: dmKeywordDrawConfig(accountId, now, { winners: 75 }),
    });
    const second = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: people.slice(75),
      text: '応募します',
      // Its own keyword: a DM keyword enters one campaign of the account (preflight refuses two).
      config: dmKeywordDrawConfig(accountId, now, {
        winners: 75,
        overrides: { entryRules: { all: [{ type: 'dm_keyword', keyword: '応募' }] } },
      }),
    });

    // One after the other: the second finds today's window already three-quarters used by the
    // first. (Concurrent reservations are covered by test/db/quota.test.ts.)
    const results = await runWorker(async () => [
      await runCampaign(first.id, accountId),
      await runCampaign(second.id, accountId),
    ]);

    assert.deepEqual(
      results.map((r) => r.outcome),
      ['completed', 'completed'],
    );
    const days = await sentPerDay([first.id, second.id]);
    // Should this ever fail, say how each campaign's sends and the account's ledger fell.
    const explain = async () =>
      JSON.stringify({
        serverNow: new Date(await env.currentTimeMs()).toISOString(),
        first: await sentPerDay([first.id]),
        second: await sentPerDay([second.id]),
        ledger: await testDb.db
          .selectFrom('dm_quota_days')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('day_key')
          .execute(),
      });
    assert.deepEqual(
      days.map((d) => d.count),
      [100, 50],
      await explain(),
    );
    assert.deepEqual(
      (await sentPerDay([second.id])).map((d) => d.count),
      [25, 50],
      `the second campaign got only what the first left of the day: ${await explain()}`,
    );
    assert.equal(dmsTo(people).length, 150);
  });

  it('fails a recipient with closed DMs once, with its reason, and never retries', async () => {
    const people = participants(5, 'closed');
    const closed = people[2] as Participant;
    await emulator.loadScenario(worldScenario(people, { closedDms: [closed.id] }));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 5 }),
    });

    const result = await runWorker(() => runCampaign(campaign.id, accountId));

    assert.deepEqual(result.report, {
      entries: 5,
      eligible: 5,
      winners: 5,
      delivered: 4,
      failed: 1,
    });
    const [failed] = await listDeliveries(testDb.db, {
      campaignId: campaign.id,
      state: 'failed',
      limit: 10,
    });
    assert.equal(failed?.xUserId, closed.id);
    assert.equal(failed?.errorCategory, 'recipient_unreachable');
    assert.ok(
      failed?.errorReason?.ja && failed.errorReason.en,
      'the reason is given in Japanese and English',
    );
    const attempts = emulator
      .requests({ endpoint: 'dm.send' })
      .filter((r) => r.path.includes(`/with/${closed.id}/`));
    assert.equal(attempts.length, 1, 'a permanent failure is never retried');
  });

  it('retries a 5xx and sends the DM once', async () => {
    const people = participants(2, 'flaky');
    await emulator.loadScenario(worldScenario(people));
    emulator.injectFault({ endpoint: 'dm.send', fault: 'server_error', count: 2 });
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 2 }),
    });

    const result = await runWorker(() => runCampaign(campaign.id, accountId));

    assert.equal(result.report?.delivered, 2);
    const requests = emulator.requests({ endpoint: 'dm.send' });
    assert.equal(requests.filter((r) => r.status >= 500).length, 2);
    assert.equal(dmsTo(people).length, 2, 'each winner got exactly one DM');
  });

  it('waits out a 429 and then sends once', async () => {
    const people = participants(1, 'limited');
    await emulator.loadScenario(worldScenario(people));
    emulator.injectFault({ endpoint: 'dm.send', fault: 'rate_limited', count: 1 });
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 1 }),
    });

    const result = await runWorker(() => runCampaign(campaign.id, accountId));

    assert.equal(result.report?.delivered, 1);
    const statuses = emulator.requests({ endpoint: 'dm.send' }).map((r) => r.status);
    assert.deepEqual(statuses, [429, 201]);
    const history = await env.client.workflow
      .getHandle(campaignWorkflowId(campaign.id))
      .fetchHistory();
    const sendEvents = (history.events ?? []).filter(
      (e) =>
        e.activityTaskStartedEventAttributes?.attempt &&
        e.activityTaskStartedEventAttributes.attempt > 1,
    );
    // A 429 is not a failure: the batch ended retry_later at X's reset and the next one sent it,
    // without using an attempt of the activity's retry budget.
    assert.equal(sendEvents.length, 0, 'no activity attempt was retried for the 429');
  });

  it('does not send twice when the worker dies between X accepting a DM and the database write', async () => {
    const people = participants(3, 'crash');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 3 }),
    });
    let crashed = false;
    const result = await runWorker(
      () => runCampaign(campaign.id, accountId),
      (send) => async (input) => {
        const sent = await send(input);
        if (!crashed) {
          crashed = true;
          throw new Error('worker died after X accepted the DM');
        }
        return sent;
      },
    );

    assert.ok(crashed);
    assert.equal(result.report?.delivered, 3);
    const dms = dmsTo(people);
    assert.equal(dms.length, 3, 'the crashed send was reconciled, not repeated');
  });

  it('continues as new in the middle of delivery without losing or repeating a DM', async () => {
    const people = participants(12, 'can');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 12 }),
    });

    const result = await runWorker(() =>
      runCampaign(campaign.id, accountId, { continueAsNewAfterSends: 5 }),
    );

    assert.equal(result.outcome, 'completed');
    assert.equal(result.report?.delivered, 12);
    assert.equal(dmsTo(people).length, 12);
    const runs = await historiesOf(env, campaignWorkflowId(campaign.id), lastFirstRunId);
    assert.ok(runs.length >= 2, `expected continued runs, saw ${runs.length}`);
  });

  it('publishes a drawn lottery’s seed and digest so anyone re-derives the same winners', async () => {
    const people = participants(40, 'draw');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: dmKeywordDrawConfig(accountId, new Date(), { winners: 7 }),
    });

    await runWorker(() => runCampaign(campaign.id, accountId));

    const draw = await findDraw(testDb.db, campaign.id);
    assert.ok(draw);
    const eligible = people.map((p) => p.id);
    assert.deepEqual(verifyDraw(draw, eligible), { ok: true, problems: [] });
    assert.equal(draw.winners.length, 7);
    const winners = await testDb.db
      .selectFrom('entries')
      .select('x_user_id')
      .where('campaign_id', '=', campaign.id)
      .where('outcome', '=', 'won')
      .execute();
    assert.deepEqual(winners.map((w) => w.x_user_id).sort(), [...draw.winners].sort());
  });

  it('runs an instant win: results while collecting, stock spent exactly, never below zero', async () => {
    const people = participants(40, 'instant');
    await emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(testDb.db);
    const { draw: _draw, ...drawn } = dmKeywordDrawConfig(accountId, new Date(), {
      winners: 5,
    }) as Extract<CampaignConfigInput, { kind: 'drawn' }>;
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people,
      config: {
        ...drawn,
        kind: 'instant_win',
        prizes: [{ id: 'gift', name: 'ギフト券', stock: 5, valueYen: 500, odds: 1 }],
        templates: {
          win: { dm: '{name}さん、当選です！{prize}をお送りします。{resultUrl}' },
          lose: { dm: '{name}さん、今回は残念でした。ご参加ありがとうございました。{resultUrl}' },
        },
      },
    });

    const result = await runWorker(() => runCampaign(campaign.id, accountId));

    assert.deepEqual(result.report, {
      entries: 40,
      eligible: 40,
      winners: 5,
      delivered: 40,
      failed: 0,
    });
    const stock = await testDb.db
      .selectFrom('prizes')
      .select('stock_remaining')
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    assert.equal(stock.stock_remaining, 0);
    const sent = await listDeliveries(testDb.db, {
      campaignId: campaign.id,
      state: 'sent',
      limit: 100,
    });
    assert.deepEqual(
      [sent.filter((d) => d.kind === 'win').length, sent.filter((d) => d.kind === 'lose').length],
      [5, 35],
    );
    // Running out opened a stop for a person; the end of collection closed it.
    const stops = await listInterventions(testDb.db, { campaignId: campaign.id });
    assert.deepEqual(
      stops.map((s) => [s.kind, s.status, s.resolution, s.resolvedBy]),
      [
        ['approval', 'resolved', 'approved', 'bob'],
        ['stock_exhausted', 'resolved', 'end_collecting', 'kuji'],
      ],
    );
  });

  it('keeps every credential out of workflow histories and log output', async () => {
    const credentials = demoSenderCredentials();
    const secrets = [
      credentials.appSecret,
      credentials.accessToken,
      credentials.accessSecret,
      testCredentialsKey.toString('base64'),
      testCredentialsKey.toString('hex'),
    ];
    assert.ok(runs.length > 0, 'the runs of this file are inspected');
    assert.ok(logs.length > 0, 'logs were captured');
    for (const { workflowId, firstRunId } of runs) {
      for (const { history } of await historiesOf(env, workflowId, firstRunId)) {
        const text = JSON.stringify(history);
        for (const secret of secrets)
          assert.ok(!text.includes(secret), `a secret is in ${workflowId}`);
      }
    }
    const logText = logs.join('\n');
    for (const secret of secrets) assert.ok(!logText.includes(secret), 'a secret is in the logs');
  });
});
