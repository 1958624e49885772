import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findFreePort } from '../../scripts/lib/postgres';
import type { WorkerHealthBody } from '../../worker/health';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { createDevServerEnv } from '../support/temporal';

const root = path.join(__dirname, '..', '..');

describe('worker/main.ts health endpoint (the production entry as a process)', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let worker: ChildProcess | undefined;
  let output = '';
  let exited: Promise<number | null>;
  let port: number;

  before(async () => {
    [env, testDb, port] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      findFreePort(),
    ]);
    worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: testDb.url,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: `health-${process.pid}`,
        KUJI_ENCRYPTION_KEY: testCredentialsKey.toString('base64'),
        KUJI_WORKER_HEALTH_PORT: String(port),
        X_API_BASE_URL: 'http://127.0.0.1:9',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => worker?.once('exit', (code) => resolve(code)));
  });
  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGKILL');
      await exited;
    }
    await env?.teardown();
    await testDb?.close();
  });

  async function probe(pathname: string) {
    const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
    return { status: response.status, body: (await response.json()) as WorkerHealthBody };
  }

  it('answers /livez and /healthz once the worker polls, and closes on SIGTERM', async () => {
    const deadline = Date.now() + 180_000;
    let live: Awaited<ReturnType<typeof probe>> | undefined;
    while (Date.now() < deadline && worker?.exitCode === null) {
      live = await probe('/livez').catch(() => undefined);
      if (live?.status === 200) break;
      await sleep(500);
    }
    assert.equal(live?.status, 200, `worker output:\n${output}`);
    assert.equal(live?.body.checks.worker.state, 'RUNNING');
    const ready = await probe('/healthz');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(ready.body.checks.database?.ok, true);
    assert.match(output, /Temporal at 127\.0\.0\.1:\d+ \(plain gRPC\)/);

    worker?.kill('SIGTERM');
    assert.equal(await exited, 0, `worker output:\n${output}`);
    await assert.rejects(probe('/livez'), 'the health server closed with the worker');
  });
});
