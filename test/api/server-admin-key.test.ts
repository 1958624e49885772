import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createDevServerEnv } from '../support/temporal';

const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('api/server.ts (the production entry point)', () => {
  let database: TestDatabase;
  let temporal: TestWorkflowEnvironment;
  const running: ChildProcess[] = [];

  before(async () => {
    [database, temporal] = await Promise.all([createTestDatabase(), createDevServerEnv()]);
  });
  after(async () => {
    for (const child of running) child.kill('SIGTERM');
    await temporal?.teardown();
    await database?.close();
  });

  /** Starts the API as compose does, waits until it answers, returns its base URL and a stop. */
  async function startApi(adminKey: string) {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'api/server.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: temporal.address,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        KUJI_ADMIN_KEY: adminKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) assert.fail(`api/server.ts exited ${child.exitCode}: ${output}`);
      const answered = await fetch(`${base}/healthz`).then(
        () => true,
        () => false,
      );
      if (answered) break;
      if (Date.now() > deadline) assert.fail(`api/server.ts never answered: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stop = async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    };
    return { base, stop };
  }

  const listKeys = (base: string, secret: string) =>
    fetch(`${base}/v1/api-keys`, { headers: { authorization: `Bearer ${secret}` } });

  it('registers KUJI_ADMIN_KEY at start, stored only as its hash, and takes a new one on restart', async () => {
    const first = `kuji_${randomBytes(24).toString('base64url')}`;
    const api = await startApi(first);
    try {
      const response = await listKeys(api.base, first);
      assert.equal(response.status, 200, await response.clone().text());
      const body = (await response.json()) as { apiKeys?: { name: string; role: string }[] };
      assert.ok(JSON.stringify(body).includes('"admin"'), JSON.stringify(body));
    } finally {
      await api.stop();
    }
    const rows = await database.db
      .selectFrom('api_keys')
      .select(['name', 'role', 'key_hash', 'revoked_at'])
      .execute();
    assert.deepEqual(
      rows.map(({ name, role, revoked_at }) => ({ name, role, revoked: revoked_at !== null })),
      [{ name: 'admin', role: 'admin', revoked: false }],
    );
    assert.equal(rows[0]?.key_hash, createHash('sha256').update(first).digest('hex'));
    assert.equal(JSON.stringify(rows).includes(first), false);

    // Rotation: a new secret and a restart; the old secret stops working.
    const second = `kuji_${randomBytes(24).toString('base64url')}`;
    const restarted = await startApi(second);
    try {
      assert.equal((await listKeys(restarted.base, second)).status, 200);
      assert.equal((await listKeys(restarted.base, first)).status, 401);
    } finally {
      await restarted.stop();
    }
  });
});
