/**
 * Schemathesis (PyPI, provisioned into `.cache/`) with all of its checks, against the API
 * listening on a real port over a real PostgreSQL and Temporal dev server, authenticated as admin.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { insertApiKey } from '../../db/repositories/api-keys';
import { ensureSchemathesis } from '../../scripts/lib/schemathesis';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createDevServerEnv } from '../support/temporal';

const seed = Number(process.env.KUJI_FUZZ_SEED ?? 20261203);

function runTool(command: string, args: string[]) {
  return new Promise<{ code: number; output: string }>((resolve, reject) => {
    // Its own cwd: schemathesis keeps a `.schemathesis/` cache wherever it runs.
    const child = spawn(command, args, {
      cwd: path.dirname(path.dirname(command)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('abuse suite: schemathesis over the OpenAPI document', () => {
  let env: TestWorkflowEnvironment;
  let testDb: TestDatabase;
  let app: FastifyInstance;
  let baseUrl: string;
  let adminKey: string;
  let schemathesis: string;

  before(async () => {
    [env, testDb, schemathesis] = await Promise.all([
      createDevServerEnv(),
      createTestDatabase(),
      ensureSchemathesis(),
    ]);
    app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace: 'default', taskQueue: `schemathesis-${process.pid}` },
      webhookSecret: 'schemathesis-consumer-secret',
      rateLimits: { perKey: 1_000_000, perAddress: 1_000_000 },
    });
    adminKey = (await insertApiKey(testDb.db, { name: 'schemathesis', role: 'admin' })).secret;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    baseUrl = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
    await env?.teardown();
  });

  it('passes every check with no server error', async () => {
    const { code, output } = await runTool(schemathesis, [
      '--config-file',
      path.join(__dirname, 'schemathesis.toml'),
      'run',
      `${baseUrl}/docs/json`,
      '--header',
      `Authorization: Bearer ${adminKey}`,
      '--max-examples',
      '25',
      '--seed',
      String(seed),
      '--workers',
      '1',
      '--no-color',
      '--warnings',
      'off',
      // The document states it: no string may hold a NUL or an unpaired surrogate (400).
      '--generation-allow-x00',
      'false',
      '--generation-codec',
      'utf-8',
    ]);
    const logFile = path.join(tmpdir(), `kuji-schemathesis-${process.pid}.log`);
    writeFileSync(logFile, output);
    const summary = output
      .split('\n')
      .filter((line) => /passed|failed|error|Test cases|Operations|Checks|Seed/i.test(line))
      .slice(-15)
      .join('\n');
    console.log(`[schemathesis] exit ${code} (full output: ${logFile})\n${summary}`);
    assert.equal(code, 0, output.slice(-6000));
  });
});
