/**
 * `npm run example -- <name>` posts each ready campaign of examples/ through the API of a
 * listening stack (dev server, worker, PostgreSQL, the X emulator with its demo audience), and
 * `npm run demo -- <id>` approves one as a second person and makes the emulated participants
 * enter it: the newcomer's walkthrough, run as the README gives it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fillInstant, listExamples, loadExample } from '../../scripts/lib/examples';
import { repoRoot } from '../../scripts/lib/paths';
import { demoScenario, startXEmulator } from '../../emulator';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('examples/', () => {
  it('holds the four ready campaigns, dated at posting time', () => {
    assert.deepEqual(listExamples(), [
      'drawn-reply-hashtag',
      'follow-repost',
      'follow-repost-claims',
      'instant-win',
    ]);
    const now = new Date('2026-12-03T01:00:00.000Z');
    assert.equal(fillInstant('now', now), '2026-12-03T01:00:00.000Z');
    assert.equal(fillInstant('now+10m', now), '2026-12-03T01:10:00.000Z');
    assert.equal(fillInstant('now+2d', now), '2026-12-05T01:00:00.000Z');
    assert.equal(fillInstant('2027-01-01T00:00:00+09:00', now), '2027-01-01T00:00:00+09:00');
    const body = loadExample('instant-win', now);
    assert.equal(body.id, 'instant-win-1203010000');
    assert.deepEqual(
      [body.config.schedule.startAt, body.config.schedule.endAt],
      ['2026-12-03T01:00:00.000Z', '2026-12-03T01:10:00.000Z'],
    );
    assert.throws(() => loadExample('nope', now), /no example named nope; there are: drawn/);
  });
});

describe('npm run example / npm run demo', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let emulator: Awaited<ReturnType<typeof startXEmulator>>;
  let dataDir: string;
  let stackEnv: NodeJS.ProcessEnv;

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    // What `npm start` sets up: the X emulator with its demo audience and the linked demo sender.
    emulator = await startXEmulator({ scenario: demoScenario() });
    api = await startApiHarness(env, testDb, { xApiBaseUrl: emulator.url });
    await seedAccount(testDb.db, { id: 'demo' });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'kuji-examples-'));
    const { port } = api.app.server.address() as AddressInfo;
    stackEnv = {
      KUJI_API_URL: `http://127.0.0.1:${port}`,
      KUJI_API_KEY: api.keys.admin,
      X_EMULATOR_URL: emulator.url,
      KUJI_DATA_DIR: dataDir,
    };
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await testDb?.close();
    await emulator?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const name of [
    'instant-win',
    'drawn-reply-hashtag',
    'follow-repost',
    'follow-repost-claims',
  ]) {
    it(`posts ${name} through the API and says what to do next`, async () => {
      const id = `test-${name}`;
      const run = await runScript('example.ts', [name, '--id', id], stackEnv);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, new RegExp(`posted ${name} as campaign ${id} \\(`));
      assert.match(run.stdout, /phase: awaiting_approval/, 'preflight ran to its findings');
      // Nothing blocks any example: follow + repost tells its winners on the campaign page.
      assert.doesNotMatch(run.stdout, /"severity": "blocking"/);
      if (name.startsWith('follow-repost')) {
        assert.match(run.stdout, /"code": "winners_on_result_page"/);
        assert.match(run.stdout, new RegExp(`/c/${id}`));
      }
      if (name === 'follow-repost-claims') assert.match(run.stdout, /within 72 hours/);
      assert.match(run.stdout, new RegExp(`npm run demo -- ${id}\\n`));
      const stored = await testDb.db
        .selectFrom('campaigns')
        .select(['author'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.author, 'admin');
    });
  }

  it('lists the examples without a name, and refuses an unknown one', async () => {
    const list = await runScript('example.ts', [], stackEnv);
    assert.equal(list.code, 0);
    assert.match(
      list.stdout,
      /examples: drawn-reply-hashtag, follow-repost, follow-repost-claims, instant-win/,
    );
    const unknown = await runScript('example.ts', ['nope'], stackEnv);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no example named nope/);
  });

  it('npm run demo approves as a second person and the emulated audience enters', async () => {
    const id = 'test-drawn-reply-hashtag';
    const run = await runScript('demo.ts', [id], stackEnv);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /approve \(as the demo approver\): 200/);
    assert.match(run.stdout, /6 participant actions on X \(reply\)/);
    // Replies, not DMs: no DM to refuse, and the page to sign in on is named.
    assert.doesNotMatch(run.stdout, /X will refuse the next result DM/);
    assert.match(run.stdout, new RegExp(`/c/${id}\n`));
    const entries = Number(/(\d+) entries so far/.exec(run.stdout)?.[1] ?? 0);
    assert.ok(entries >= 6, run.stdout);
    const audit = await testDb.db
      .selectFrom('audit_log')
      .select(['actor'])
      .where('campaign_id', '=', id)
      .where('action', '=', 'campaign.approve')
      .where('outcome', '=', 'ok')
      .execute();
    assert.equal(audit.length, 1);
    assert.notEqual(audit[0]?.actor, 'admin', 'the author did not approve its own campaign');
  });
});
