/**
 * The "Operating a campaign" curl block (docs/operating.md, moved there from the README) runs as written against a listening API (with
 * the dev server, a worker and PostgreSQL): only its API address is pointed at the test's port.
 * Every request is answered, none as a malformed request, and the actions do what they say.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { repoRoot } from '../../scripts/lib/paths';
import { findOnPath } from '../../scripts/lib/provision';
import { type ApiHarness, startApiHarness } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { demoScenario, startXEmulator } from '../../emulator';
import { seedAccount } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

const readmeApi = 'API=http://127.0.0.1:3000';

/** The first shell block of docs/operating.md. */
function operatingBlock(): string {
  const section = readFileSync(path.join(repoRoot, 'docs', 'operating.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block?.includes(readmeApi), 'the block sets API');
  return block ?? '';
}

interface Answer {
  status: number;
  method: string;
  path: string;
}

function runBlock(script: string, cwd: string, binDir: string) {
  return new Promise<{ code: number | null; stdout: string; answers: Answer[]; stderr: string }>(
    (resolve, reject) => {
      const child = spawn('bash', ['-eu', '-o', 'pipefail', '-c', script], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        const answers = [...stderr.matchAll(/^ANSWER (\d+) (\S+) (\S+)$/gm)].map((m) => ({
          status: Number(m[1]),
          method: String(m[2]),
          path: new URL(String(m[3])).pathname,
        }));
        resolve({ code, stdout, answers, stderr });
      });
    },
  );
}

describe("docs/operating.md: 'Operating a campaign'", () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let api: ApiHarness;
  let workDir: string;
  let emulator: Awaited<ReturnType<typeof startXEmulator>>;

  before(async () => {
    [env, testDb] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
    // What `npm start` sets up: the X emulator with its demo audience and the linked demo sender.
    emulator = await startXEmulator({ scenario: demoScenario() });
    api = await startApiHarness(env, testDb, { xApiBaseUrl: emulator.url });
    await seedAccount(testDb.db, { id: 'demo' });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    workDir = mkdtempSync(path.join(tmpdir(), 'kuji-readme-'));
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
    await testDb?.close();
    await emulator?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('runs every curl example as written, none answered as a bad request', async () => {
    // The repository's root as the block expects it, writing its files elsewhere.
    mkdirSync(path.join(workDir, '.data'));
    writeFileSync(path.join(workDir, '.data', 'admin-key'), api.keys.admin);
    for (const entry of ['domain', 'node_modules', 'package.json', 'tsconfig.json']) {
      symlinkSync(path.join(repoRoot, entry), path.join(workDir, entry));
    }
    // curl itself, reporting each answer's status on stderr.
    const realCurl = findOnPath('curl');
    assert.ok(realCurl, 'curl is installed');
    const binDir = path.join(workDir, 'bin');
    mkdirSync(binDir);
    writeFileSync(
      path.join(binDir, 'curl'),
      `#!/bin/sh\nexec ${realCurl} -w '%{stderr}ANSWER %{http_code} %{method} %{url_effective}\\n' "$@"\n`,
    );
    chmodSync(path.join(binDir, 'curl'), 0o755);

    const { port } = api.app.server.address() as AddressInfo;
    const script = operatingBlock().replace(readmeApi, `API=http://127.0.0.1:${port}`);
    const run = await runBlock(script, workDir, binDir);
    assert.equal(run.code, 0, `the block failed:\n${run.stderr}`);
    console.log(run.answers.map((a) => `${a.status} ${a.method} ${a.path}`).join('\n'));

    const malformed = run.answers.filter(
      (a) => a.status === 0 || [400, 401, 403, 413, 415].includes(a.status) || a.status >= 500,
    );
    assert.deepEqual(malformed, [], run.stdout);
    const statusOf = (method: string, url: string) =>
      run.answers.filter((a) => a.method === method && a.path === url).map((a) => a.status);
    assert.deepEqual(statusOf('POST', '/v1/api-keys'), [201, 201], run.stdout);
    assert.deepEqual(statusOf('POST', '/v1/accounts'), [201], run.stdout);
    assert.deepEqual(statusOf('POST', '/v1/campaigns'), [201], run.stdout);
    assert.deepEqual(statusOf('POST', '/v1/campaigns/winter-2026/approve'), [200], run.stdout);
    assert.deepEqual(statusOf('POST', '/v1/campaigns/winter-2026/pause'), [202], run.stdout);
    assert.deepEqual(statusOf('PUT', '/v1/campaigns/winter-2026/config'), [200], run.stdout);
    assert.deepEqual(statusOf('POST', '/v1/accounts/brand/resume'), [200], run.stdout);
    for (const url of [
      '/v1/campaigns/winter-2026/interventions',
      '/v1/campaigns/winter-2026/deliveries',
      '/v1/campaigns/winter-2026/entries',
    ]) {
      assert.ok(statusOf('GET', url).length > 0, `GET ${url} ran`);
      assert.ok(
        statusOf('GET', url).every((s) => s === 200),
        `GET ${url}: ${statusOf('GET', url).join(', ')}`,
      );
    }
    // Created by the operator, approved and paused by the approver the block made (the workflow
    // records the pause itself, a moment after the signal).
    let audit: { actor: string; action: string }[] = [];
    for (let attempt = 0; attempt < 50 && audit.length < 3; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      audit = await testDb.db
        .selectFrom('audit_log')
        .select(['actor', 'action'])
        .where('campaign_id', '=', 'winter-2026')
        .where('outcome', '=', 'ok')
        .where('action', 'in', ['campaign.create', 'campaign.approve', 'campaign.pause'])
        .orderBy('id')
        .execute();
    }
    const [created, approved, paused] = audit;
    assert.deepEqual(
      audit.map((a) => a.action),
      ['campaign.create', 'campaign.approve', 'campaign.pause'],
    );
    assert.equal(approved?.actor, paused?.actor, 'the approver approved and paused');
    assert.notEqual(created?.actor, approved?.actor, 'the operator wrote it');
  });
});
