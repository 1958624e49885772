/**
 * The README's shell examples run as written: the quick start's commands are the ones this suite
 * and CI run (`npm start` in local-stack.test.ts, `npm install && npm test` in .ci/run), and the
 * first-campaign walkthrough runs here, block for block, against a real `npm start`, with only
 * the ports moved (exported, as a user who changed them would).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/lib/paths';
import { findFreePort } from '../../scripts/lib/postgres';
import { findOnPath } from '../../scripts/lib/provision';

const readmeApi = 'http://127.0.0.1:3000';

function shellBlocks(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** Lines that are commands: no blank lines, comments or continuations of the previous one. */
function commands(block: string): string[] {
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function run(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['-eu', '-o', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('README shell examples', () => {
  it('are the quick start and the first-campaign walkthrough, nothing untested', () => {
    const blocks = shellBlocks();
    assert.equal(blocks.length, 2, 'a new block in the README needs a test that runs it');
    assert.deepEqual(commands(blocks[0] ?? ''), [
      'npm install && npm start',
      'npm install && npm test',
    ]);
    assert.match(blocks[1] ?? '', /^npm run example -- /);
  });

  describe('the first-campaign walkthrough against npm start', () => {
    let stack: ChildProcess | undefined;
    let output = '';
    let workDir: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      workDir = mkdtempSync(path.join(tmpdir(), 'kuji-readme-walk-'));
      // As root, embedded PostgreSQL runs as another user, who must reach the data folder.
      chmodSync(workDir, 0o777);
      // The repository's root as the commands expect it, with .data/ of its own.
      for (const entry of [
        'package.json',
        'node_modules',
        'scripts',
        'examples',
        'tsconfig.json',
      ]) {
        symlinkSync(path.join(repoRoot, entry), path.join(workDir, entry));
      }
      const { KUJI_TEST_DATABASE_URL: _ignored, DATABASE_URL: _alsoIgnored, ...rest } = process.env;
      env = {
        ...rest,
        KUJI_DATA_DIR: path.join(workDir, '.data'),
        // The walkthrough's own campaign only: the demo campaign's rehearsal DM could use up the
        // refused-DM fault `npm run demo` arms (test/scripts/demo-campaign.test.ts covers it).
        KUJI_DEMO: '0',
        PORT: String(await findFreePort()),
        KUJI_POSTGRES_PORT: String(await findFreePort()),
        KUJI_TEMPORAL_PORT: String(await findFreePort()),
        TEMPORAL_UI_PORT: String(await findFreePort()),
        X_EMULATOR_PORT: String(await findFreePort()),
        LOG_LEVEL: 'warn',
      };
      delete env.TEMPORAL_ADDRESS;
      stack = spawn('npm', ['start'], {
        cwd: repoRoot,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      stack.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      stack.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 180_000;
      while (!output.includes('Press Ctrl-C to stop.')) {
        assert.ok(stack.exitCode === null, `npm start exited:\n${output}`);
        assert.ok(Date.now() < deadline, `npm start did not come up:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });

    after(async () => {
      if (stack?.pid && stack.exitCode === null) {
        const exited = new Promise((resolve) => stack?.once('exit', resolve));
        process.kill(-stack.pid, 'SIGINT');
        await exited;
      }
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('posts the example, the demo audience enters, a refused DM is resent', async () => {
      // curl itself, reporting each answer's status on stderr.
      const realCurl = findOnPath('curl');
      assert.ok(realCurl, 'curl is installed');
      const binDir = path.join(workDir, 'bin');
      mkdirSync(binDir);
      writeFileSync(
        path.join(binDir, 'curl'),
        `#!/bin/sh\nexec ${realCurl} -w '%{stderr}ANSWER %{http_code} %{method} %{url_effective}\\n' "$@"\n`,
        { mode: 0o755 },
      );
      const block = shellBlocks()[1] ?? '';
      assert.ok(block.includes(readmeApi), 'the walkthrough names the API');
      const script = block.replaceAll(readmeApi, `http://127.0.0.1:${env.PORT}`);
      const walk = await run(script, workDir, {
        ...env,
        PATH: `${binDir}${path.delimiter}${env.PATH ?? ''}`,
      });
      assert.equal(walk.code, 0, `${walk.stdout}\n${walk.stderr}`);
      const answers = [...walk.stderr.matchAll(/^ANSWER (\d+) (\S+) (\S+)$/gm)].map(
        (m) => `${m[1]} ${m[2]} ${new URL(String(m[3])).pathname}`,
      );
      const campaign = '/v1/campaigns/first-campaign';
      assert.deepEqual(
        answers,
        [
          `200 GET ${campaign}`,
          `200 GET ${campaign}/entries`,
          `200 GET ${campaign}/deliveries`,
          `200 GET ${campaign}/deliveries`,
          `200 POST ${campaign}/deliveries/resend`,
        ].map((answer) => answer),
        walk.stderr,
      );
      assert.match(walk.stdout, /posted instant-win as campaign first-campaign/);
      assert.match(walk.stdout, /approve \(as the demo approver\): 200/);
      assert.match(walk.stdout, /6 entries so far/);
      assert.match(
        walk.stdout,
        /"errorCode":"dm_not_permitted"/,
        'the refused DM is shown with its code',
      );
      assert.match(walk.stdout, /"queued":1/, 'and queued again by the resend');
      // The resent DM goes out: nothing failed is left.
      const key = readFileSync(path.join(workDir, '.data', 'admin-key'), 'utf8').trim();
      let counts: Record<string, number> = {};
      for (let attempt = 0; attempt < 60 && counts.failed !== 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const answer = await fetch(
          `http://127.0.0.1:${env.PORT}${campaign}/deliveries?state=failed`,
          { headers: { authorization: `Bearer ${key}` } },
        );
        counts = ((await answer.json()) as { counts: Record<string, number> }).counts;
      }
      assert.equal(counts.failed, 0, JSON.stringify(counts));
      assert.ok((counts.sent ?? 0) >= 6, JSON.stringify(counts));
    });
  });
});
