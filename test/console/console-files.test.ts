/**
 * The console as the API serves it: its page for every path under /console, its built script
 * and stylesheet under a strict CSP, nothing else from disk; and its API types generated from the
 * current OpenAPI document (a stale console/src/api/schema.d.ts fails here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import consoleRoutes from '../../api/routes/console';
import { buildConsole } from '../../console/build';
import { createDb } from '../../db/client';
import { consoleApiTypes, consoleApiTypesFile } from '../../scripts/console-api-types';

const lazyTemporal = () => new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });

describe('GET /console', () => {
  let app: FastifyInstance;
  const db = createDb('postgres://console@127.0.0.1:1/never-connected');

  before(async () => {
    await buildConsole();
    app = await buildApp({
      db,
      temporal: lazyTemporal(),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
  });
  after(async () => {
    await app.close();
    await db.destroy();
  });

  for (const url of ['/console', '/console/campaigns', '/console/campaigns/c-1?tab=deliveries']) {
    it(`answers the console's page for ${url}, under a CSP that runs only this origin's script`, async () => {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /<script type="module" src="\/console\/assets\/app\.js">/);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
    });
  }

  it('serves the built script and stylesheet with their types', async () => {
    const script = await app.inject({ url: '/console/assets/app.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
    assert.ok(script.body.length > 1000);
    const style = await app.inject({ url: '/console/assets/app.css' });
    assert.equal(style.statusCode, 200);
    assert.match(String(style.headers['content-type']), /^text\/css/);
  });

  for (const url of [
    '/console/assets/..%2F..%2Fpackage.json',
    '/console/assets/.inputs',
    '/console/assets/app.ts',
    '/console/assets/missing.js',
  ]) {
    it(`answers 404 for ${url}, never another file`, async () => {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.body, /"name": "kuji"/);
    });
  }
});

describe('GET /console before the console is built', () => {
  it('answers 503 with the command that builds it, in Japanese and English', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'kuji-console-'));
    const Fastify = (await import('fastify')).default;
    const app = Fastify();
    await app.register(consoleRoutes, { distDir: empty });
    try {
      const response = await app.inject({ url: '/console/campaigns' });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /npm run console:build/);
      assert.match(response.body, /ビルドされていません/);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('console/src/api/schema.d.ts', () => {
  it('is generated from the current OpenAPI document (run `npm run console:types` when it is not)', async () => {
    assert.equal(readFileSync(consoleApiTypesFile, 'utf8'), await consoleApiTypes());
  });
});
