/**
 * `npm test`: lint, typecheck, provision the real servers, then run every test file with Node's
 * test runner. Extra arguments narrow the run to matching files: `npm test -- test/api`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './lib/paths';
import { startEmbeddedPostgres, type RunningPostgres } from './lib/postgres';
import { step, withTicker } from './lib/progress';
import {
  ensureTemporalCli,
  ensureTestServer,
  ensureChromium,
  type ServerExecutable,
} from './lib/provision';
import { writeWorkflowBundle } from './lib/workflow-bundle';

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function findTestFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return findTestFiles(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

function executablePath(executable: ServerExecutable): string | undefined {
  return executable.type === 'existing-path' ? executable.path : undefined;
}

async function main() {
  const filters = process.argv.slice(2);
  const skipStatic = filters.length > 0 || process.env.KUJI_TEST_SKIP_STATIC === '1';
  if (!skipStatic) {
    step('npm run lint (eslint, prettier)');
    if ((await run('npm', ['run', '--silent', 'lint'])) !== 0) return 1;
    step('npm run typecheck (tsc)');
    if ((await run('npm', ['run', '--silent', 'typecheck'])) !== 0) return 1;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  const [cli, testServer] = [await ensureTemporalCli(), await ensureTestServer()];
  env.TEMPORAL_CLI_PATH = executablePath(cli) ?? '';
  env.TEMPORAL_TEST_SERVER_PATH = executablePath(testServer) ?? '';
  try {
    env.CHROME_PATH = await ensureChromium();
  } catch (error) {
    // The browser tests fail on their own with this message; say it up front too.
    step(error instanceof Error ? error.message : String(error));
  }
  env.KUJI_WORKFLOW_BUNDLE = await withTicker('bundling workflows', writeWorkflowBundle());

  let postgres: RunningPostgres | undefined;
  let pgDir: string | undefined;
  if (!env.DATABASE_URL) {
    pgDir = mkdtempSync(path.join(tmpdir(), 'kuji-test-pg-'));
    chmodSync(pgDir, 0o777);
    postgres = await withTicker(
      'starting embedded PostgreSQL',
      startEmbeddedPostgres({ dataDir: path.join(pgDir, 'data'), persistent: false }),
    );
    env.KUJI_TEST_DATABASE_URL = postgres.url;
  }

  const files = findTestFiles(path.join(repoRoot, 'test'))
    .map((f) => path.relative(repoRoot, f))
    .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)))
    .sort();
  step(`running ${files.length} test files`);
  try {
    return await run(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files],
      env,
    );
  } finally {
    await postgres?.stop();
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    if (env.KUJI_WORKFLOW_BUNDLE) rmSync(env.KUJI_WORKFLOW_BUNDLE, { force: true });
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
