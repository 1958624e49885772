/**
 * `npm start` for real: the printed URLs work, a campaign goes through the API into the worker,
 * the Temporal Web UI (headless Chromium) finds it by CampaignId, Ctrl-C leaves no process
 * behind, and a second start finds the campaign of the first.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { exampleCampaignConfig } from '../../domain/campaign-config';
import { findFreePort } from '../../scripts/lib/postgres';
import { repoRoot } from '../../scripts/lib/paths';
import { findChromium } from '../../scripts/lib/provision';

interface ApiBody {
  campaign: { phase: string };
  workflow: { status: string };
}

interface Stack {
  child: ChildProcess;
  output: () => string;
  apiUrl: string;
  webUiUrl: string;
  exited: Promise<number | null>;
}

function startStack(env: NodeJS.ProcessEnv): Promise<Stack> {
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not come up:\n${output}`)),
      180_000,
    );
    const poll = setInterval(() => {
      if (child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${child.exitCode}:\n${output}`));
      }
      if (output.includes('Press Ctrl-C to stop.')) {
        clearInterval(poll);
        clearTimeout(timer);
        const apiUrl = /API:\s+(\S+)/.exec(output)?.[1];
        const webUiUrl = /Web UI:\s+(\S+)/.exec(output)?.[1];
        if (!apiUrl || !webUiUrl) reject(new Error(`URLs missing from the output:\n${output}`));
        else resolve({ child, output: () => output, apiUrl, webUiUrl, exited });
      }
    }, 100);
  });
}

/** Every live descendant of `pid` (zombies count as gone). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parents = new Map<number, number[]>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const ppid = Number(fields[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
      commands.set(
        Number(entry),
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
      );
    } catch {
      // the process ended while we looked
    }
  }
  const found: { pid: number; cmd: string }[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push({ pid: child, cmd: commands.get(child) ?? '' });
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function stopAndCheck(stack: Stack, how: 'ctrl-c' | 'sigterm') {
  const tree = descendants(stack.child.pid as number);
  assert.ok(
    tree.some((p) => p.cmd.includes('temporal server start-dev')),
    'temporal runs under npm start',
  );
  assert.ok(
    tree.some((p) => p.cmd.includes('postgres')),
    'postgres runs under npm start',
  );
  if (how === 'ctrl-c') process.kill(-(stack.child.pid as number), 'SIGINT');
  else stack.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), 60_000).unref(),
  );
  assert.notEqual(
    await Promise.race([stack.exited, timeout]),
    'timeout',
    `npm start did not stop:\n${stack.output()}`,
  );
  // Servers finish their own graceful shutdown (Temporal takes seconds); give them 30 s.
  for (let i = 0; i < 300 && tree.some((p) => alive(p.pid)); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const leftovers = tree.filter((p) => alive(p.pid));
  assert.deepEqual(leftovers, [], `processes left behind after ${how}; output:\n${stack.output()}`);
}

describe('npm start (the local stack)', () => {
  let dataRoot: string;
  let env: NodeJS.ProcessEnv;
  let first: Stack | undefined;
  let adminKey = '';

  before(async () => {
    dataRoot = mkdtempSync(path.join(tmpdir(), 'kuji-stack-'));
    chmodSync(dataRoot, 0o777);
    mkdirSync(path.join(dataRoot, 'data'));
    const { KUJI_TEST_DATABASE_URL: _ignored, DATABASE_URL: _alsoIgnored, ...rest } = process.env;
    env = {
      ...rest,
      KUJI_DATA_DIR: path.join(dataRoot, 'data'),
      PORT: String(await findFreePort()),
      KUJI_POSTGRES_PORT: String(await findFreePort()),
      KUJI_TEMPORAL_PORT: String(await findFreePort()),
      TEMPORAL_UI_PORT: String(await findFreePort()),
      X_EMULATOR_PORT: String(await findFreePort()),
      LOG_LEVEL: 'warn',
    };
    delete env.TEMPORAL_ADDRESS;
    first = await startStack(env);
  });

  after(() => {
    if (first && first.child.exitCode === null)
      process.kill(-(first.child.pid as number), 'SIGKILL');
    rmSync(dataRoot, { recursive: true, force: true });
  });

  const api = async (stack: Stack, method: string, url: string, body?: unknown) => {
    const response = await fetch(`${stack.apiUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as ApiBody };
  };

  it('prints the API, docs and Web UI URLs and a new admin key, and serves them', async () => {
    const stack = first as Stack;
    adminKey = /Admin key:\s+(kuji_\S+)/.exec(stack.output())?.[1] ?? '';
    assert.ok(adminKey, `no admin key printed:\n${stack.output()}`);
    assert.match(stack.output(), /OpenAPI docs:\s+http:\/\/\S+\/docs/);
    const health = await fetch(`${stack.apiUrl}/healthz`);
    assert.equal(health.status, 200);
    const docs = await fetch(`${stack.apiUrl}/docs/json`);
    assert.equal(docs.status, 200);
    const ui = await fetch(stack.webUiUrl);
    assert.equal(ui.status, 200);
  });

  it('runs a campaign through the API into the workflow', async () => {
    const stack = first as Stack;
    const account = await api(stack, 'POST', '/v1/accounts', { id: 'brand', handle: '@brand' });
    assert.equal(account.status, 201, JSON.stringify(account.body));
    const created = await api(stack, 'POST', '/v1/campaigns', {
      id: 'stack-check',
      config: { ...exampleCampaignConfig(new Date()), accountId: 'brand' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let phase = '';
    for (let i = 0; i < 100 && phase !== 'awaiting_approval'; i += 1) {
      phase = (await api(stack, 'GET', '/v1/campaigns/stack-check')).body.campaign.phase;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(phase, 'awaiting_approval');
  });

  it("shows the campaign's workflow in the Temporal Web UI, found by CampaignId", async () => {
    const stack = first as Stack;
    const browser = await chromium.launch({
      executablePath: findChromium(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const query = encodeURIComponent('CampaignId="stack-check"');
      await page.goto(`${stack.webUiUrl}/namespaces/default/workflows?query=${query}`);
      await page.getByText('campaign:stack-check').first().waitFor({ timeout: 30_000 });
      mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
      await page.screenshot({ path: path.join(repoRoot, 'test-results', 'web-ui-campaign.png') });
    } finally {
      await browser.close();
    }
  });

  it('stops on Ctrl-C leaving no temporal, postgres or node child running', async () => {
    await stopAndCheck(first as Stack, 'ctrl-c');
  });

  it('finds the first run’s campaign on a second start, and stops cleanly on SIGTERM', async () => {
    const second = await startStack(env);
    try {
      assert.doesNotMatch(
        second.output(),
        /Admin key:\s+kuji_/,
        'the admin key is printed only once',
      );
      const detail = await api(second, 'GET', '/v1/campaigns/stack-check');
      assert.equal(detail.status, 200);
      assert.equal(detail.body.campaign.phase, 'awaiting_approval');
      assert.equal(detail.body.workflow.status, 'RUNNING');
    } finally {
      await stopAndCheck(second, 'sigterm');
    }
  });
});
