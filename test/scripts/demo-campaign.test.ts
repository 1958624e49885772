/**
 * The demo campaign `npm start` offers (scripts/lib/demo-campaign.ts), run against a listening
 * stack as npm start has it: the dev server, a worker, PostgreSQL, the X emulator with its demo
 * audience delivering to the API's webhook, the linked sender 'demo'. It is created once by a
 * demo operator, found again (not made twice) by a second start while it runs, waits for
 * someone else's approval, and then its participants enter one by one, spread over time (the
 * spread compressed here), with one result DM refused by X.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DEMO_KEYWORD,
  DEMO_OPERATOR_KEY_FILE,
  type DemoOutcome,
  type DemoReady,
  demoBanner,
  offerDemoCampaign,
  runDemoCampaign,
} from '../../scripts/lib/demo-campaign';
import { type LocalStack, waitForPhase } from '../../scripts/lib/local-api';
import { DEMO_CONSUMER_SECRET, demoScenario, startXEmulator } from '../../emulator';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

const entrants = ['sakura_t', 'yui_m', 'mei_a', 'asahi_p'];
const spreadMs = 12_000;

describe('the demo campaign npm start offers', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let emulator: Awaited<ReturnType<typeof startXEmulator>>;
  let dataDir: string;
  let stack: LocalStack;
  let demoId = '';

  /** One npm start's demo driver, as offerDemoCampaign runs it (its own Ctrl-C). */
  async function startDriver(overrides: Partial<Parameters<typeof runDemoCampaign>[0]> = {}) {
    const controller = new AbortController();
    let ready: (value: DemoReady) => void = () => {};
    const readyPromise = new Promise<DemoReady>((resolve) => (ready = resolve));
    const lines: string[] = [];
    const done: Promise<DemoOutcome> = runDemoCampaign({
      stack,
      signal: controller.signal,
      dataDir,
      spreadMs,
      pollMs: 200,
      entrants,
      log: (line) => lines.push(line),
      onReady: ready,
      ...overrides,
    });
    // A failure before onReady must not leave the test waiting for it.
    const info = await Promise.race([readyPromise, done.then(() => readyPromise)]);
    return { controller, done, info, lines };
  }

  const keywordDms = () => emulator.state.dms.filter((dm) => dm.text === DEMO_KEYWORD);

  before(async () => {
    [env, testDb, emulator] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      startXEmulator({ scenario: demoScenario() }),
    ]);
    api = await startApiHarness(env, testDb, {
      xApiBaseUrl: emulator.url,
      webhookSecret: DEMO_CONSUMER_SECRET,
    });
    await seedAccount(testDb.db, { id: 'demo' });
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const crc = await emulator.configureWebhook(`${base}/v1/webhooks/x`, DEMO_CONSUMER_SECRET);
    assert.equal(crc.valid, true, JSON.stringify(crc));
    dataDir = mkdtempSync(path.join(tmpdir(), 'kuji-demo-campaign-'));
    stack = { apiUrl: base, adminKey: api.keys.admin, emulatorUrl: emulator.url, webUiUrl: '' };
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await testDb?.close();
    await emulator?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is offered only with the emulator and without KUJI_DEMO=0', () => {
    const registered: string[] = [];
    const onShutdown = (name: string) => void registered.push(name);
    const offer = { apiUrl: stack.apiUrl, adminKey: stack.adminKey, webUiUrl: '', onShutdown };
    offerDemoCampaign({ ...offer, emulatorUrl: undefined, env: {} });
    offerDemoCampaign({ ...offer, emulatorUrl: emulator.url, env: { KUJI_DEMO: '0' } });
    assert.deepEqual(registered, [], 'real X or KUJI_DEMO=0: no demo, nothing to stop');
  });

  it('creates the campaign as the demo operator and waits for approval', async () => {
    const first = await startDriver();
    assert.equal(first.info.created, true);
    demoId = first.info.id;
    assert.match(demoId, /^demo-\d{10}$/);
    assert.equal(first.info.consoleUrl, `${stack.apiUrl}/console/campaigns/${demoId}`);
    assert.equal(first.info.awaitingApproval, true);
    const banner = demoBanner(first.info);
    assert.ok(banner.includes(first.info.consoleUrl), banner);
    assert.match(banner, /Approve it in the console .*\n.*コンソールで承認すると/);
    const stored = await testDb.db
      .selectFrom('campaigns')
      .select(['author', 'config'])
      .where('id', '=', demoId)
      .executeTakeFirstOrThrow();
    assert.ok(existsSync(path.join(dataDir, DEMO_OPERATOR_KEY_FILE)), 'the key is kept');
    const operator = await testDb.db
      .selectFrom('api_keys')
      .select(['id', 'role', 'key_prefix'])
      .where('id', '=', stored.author)
      .executeTakeFirstOrThrow();
    assert.equal(operator.role, 'operator', 'authored by the demo operator, not the admin');
    assert.ok(
      readFileSync(path.join(dataDir, DEMO_OPERATOR_KEY_FILE), 'utf8').startsWith(
        operator.key_prefix,
      ),
    );
    const config = stored.config as {
      schedule: { startAt: string; endAt: string };
      entryRules: { all: { type: string; keyword?: string }[] };
    };
    const minutes = (Date.parse(config.schedule.endAt) - Date.parse(config.schedule.startAt)) / 6e4;
    assert.equal(minutes, 30);
    assert.ok(Math.abs(Date.parse(config.schedule.startAt) - Date.now()) < 60_000, 'starts now');
    assert.deepEqual(config.entryRules.all, [{ type: 'dm_keyword', keyword: DEMO_KEYWORD }]);

    const phase = await waitForPhase(stack, demoId, (p) => p === 'awaiting_approval', 60_000);
    assert.equal(phase, 'awaiting_approval');
    // Waiting for a person: nobody enters, the driver keeps polling.
    const settled = await Promise.race([
      first.done.then(() => 'settled'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 2000)),
    ]);
    assert.equal(settled, 'waiting');
    assert.equal(keywordDms().length, 0, 'no participant entered before approval');
    first.controller.abort();
    const outcome = await first.done;
    assert.deepEqual([outcome.end, outcome.entered], ['stopped', []]);
  });

  it('is found again, not made twice, by a second start while it waits', async () => {
    const second = await startDriver();
    try {
      assert.deepEqual([second.info.id, second.info.created], [demoId, false]);
      const demos = await testDb.db
        .selectFrom('campaigns')
        .select('id')
        .where('id', 'like', 'demo-%')
        .execute();
      assert.deepEqual(
        demos.map((d) => d.id),
        [demoId],
      );
    } finally {
      second.controller.abort();
      await second.done;
    }
  });

  it('once approved, participants enter one by one and one result DM fails with its reason', async () => {
    const third = await startDriver();
    assert.deepEqual([third.info.id, third.info.created], [demoId, false]);
    const approveStarted = Date.now();
    const approved = await fetch(`${stack.apiUrl}/v1/campaigns/${demoId}/approve`, {
      method: 'POST',
      headers: { ...api.auth('admin'), 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(approved.status, 200, await approved.text());
    const outcome = await third.done;
    assert.deepEqual([outcome.end, outcome.entered], ['entered', entrants], third.lines.join('\n'));
    assert.ok(Date.now() - approveStarted >= spreadMs, 'the entries took the spread, not a burst');

    // On X: one keyword DM per participant, spaced over the spread.
    const sent = keywordDms()
      .map((dm) => dm.createdAtMs)
      .sort((a, b) => a - b);
    assert.equal(sent.length, entrants.length);
    for (let i = 1; i < sent.length; i += 1) {
      const gap = (sent[i] ?? 0) - (sent[i - 1] ?? 0);
      assert.ok(gap >= (spreadMs / (entrants.length - 1)) * 0.8, `gap ${gap} ms`);
    }

    // In Kuji: the entries arrive as they were made (the webhook), and one DM is refused.
    let entries: { username: string | null; firstSeenAt: string }[] = [];
    let counts: Record<string, number> = {};
    for (let i = 0; i < 120 && (entries.length < entrants.length || counts.failed !== 1); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const list = await fetch(`${stack.apiUrl}/v1/campaigns/${demoId}/entries`, {
        headers: api.auth('admin'),
      });
      entries = ((await list.json()) as { entries: typeof entries }).entries;
      const deliveries = await fetch(
        `${stack.apiUrl}/v1/campaigns/${demoId}/deliveries?state=failed`,
        { headers: api.auth('admin') },
      );
      counts = ((await deliveries.json()) as { counts: Record<string, number> }).counts;
    }
    assert.deepEqual(entries.map((e) => e.username).sort(), [...entrants].sort());
    const seen = entries.map((e) => Date.parse(e.firstSeenAt)).sort((a, b) => a - b);
    const span = (seen.at(-1) ?? 0) - (seen[0] ?? 0);
    assert.ok(span >= spreadMs * 0.6, `entries seen within ${span} ms: not spread`);
    assert.equal(counts.failed, 1, JSON.stringify(counts));
    const failed = await fetch(`${stack.apiUrl}/v1/campaigns/${demoId}/deliveries?state=failed`, {
      headers: api.auth('admin'),
    });
    const [delivery] = ((await failed.json()) as { deliveries: { errorCode: string }[] })
      .deliveries;
    assert.equal(delivery?.errorCode, 'dm_not_permitted');

    // A later start finds it collecting, says so, and nobody enters twice (nor is a DM refused).
    const again = await startDriver();
    assert.deepEqual(
      [again.info.id, again.info.created, again.info.awaitingApproval],
      [demoId, false, false],
    );
    assert.match(demoBanner(again.info), /Approved: emulated participants enter/);
    const resumed = await again.done;
    assert.deepEqual([resumed.end, resumed.entered], ['entered', []]);
    assert.equal(keywordDms().length, entrants.length);
    assert.deepEqual(
      emulator.faults.list().filter((rule) => rule.remaining > 0),
      [],
      'no second fault armed',
    );
  });

  it('replaces a demo nobody approved that ends within 10 minutes, once it is cancelled', async () => {
    // Another data folder: another demo operator, whose campaign waits for approval.
    const otherDir = mkdtempSync(path.join(tmpdir(), 'kuji-demo-campaign-'));
    try {
      const first = await startDriver({ dataDir: otherDir });
      assert.equal(first.info.created, true);
      const staleId = first.info.id;
      assert.equal(
        await waitForPhase(stack, staleId, (p) => p === 'awaiting_approval', 60_000),
        'awaiting_approval',
      );
      first.controller.abort();
      await first.done;
      // 25 minutes later it would end before anyone could take part: a new one replaces it.
      const later = new Date(Date.now() + 25 * 60_000);
      const second = await startDriver({ dataDir: otherDir, now: () => later });
      second.controller.abort();
      await second.done;
      assert.equal(second.info.created, true);
      assert.notEqual(second.info.id, staleId);
      const stale = await testDb.db
        .selectFrom('campaigns')
        .select('phase')
        .where('id', '=', staleId)
        .executeTakeFirstOrThrow();
      assert.equal(stale.phase, 'cancelled');
      assert.match(second.lines.join('\n'), new RegExp(`${staleId} was never approved`));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
