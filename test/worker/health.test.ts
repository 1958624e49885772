import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  startWorkerHealthServer,
  type WorkerHealthBody,
  type WorkerState,
} from '../../worker/health';

describe('worker health endpoint', () => {
  let state: WorkerState = 'RUNNING';
  let ping: () => Promise<void> = () => Promise.resolve();
  const logged: string[] = [];
  const serverStarting = startWorkerHealthServer({
    port: 0,
    host: '127.0.0.1',
    state: () => state,
    pingDatabase: () => ping(),
    timeoutMs: 200,
    log: (message) => logged.push(message),
  });
  after(async () => (await serverStarting).close());

  async function probe(path: string): Promise<{ status: number; body: WorkerHealthBody }> {
    const { port } = await serverStarting;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: (await response.json()) as WorkerHealthBody };
  }

  it('answers 200 on /healthz and /livez while the worker runs and PostgreSQL answers', async () => {
    state = 'RUNNING';
    ping = () => Promise.resolve();
    const ready = await probe('/healthz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ok');
    assert.deepEqual(ready.body.down, []);
    assert.equal(ready.body.checks.database?.ok, true);
    const live = await probe('/livez');
    assert.equal(live.status, 200);
    assert.equal(live.body.checks.database, undefined, 'liveness does not ask the database');
  });

  it('answers 503 naming the worker when it is not polling (failed, draining, stopped)', async () => {
    for (const notRunning of ['FAILED', 'DRAINING', 'STOPPED', 'INITIALIZED'] as const) {
      state = notRunning;
      for (const path of ['/livez', '/healthz']) {
        const answer = await probe(path);
        assert.equal(answer.status, 503, `${notRunning} ${path}`);
        assert.deepEqual(answer.body.down, ['worker']);
        assert.equal(answer.body.checks.worker.state, notRunning);
      }
    }
  });

  it('readiness names the database when its ping fails or hangs; liveness stays 200', async () => {
    state = 'RUNNING';
    ping = () => Promise.reject(new Error('connection refused: postgres://secret@db'));
    const failed = await probe('/healthz');
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.body.down, ['database']);
    assert.equal(failed.body.checks.database?.error, 'failed');
    assert.doesNotMatch(JSON.stringify(failed.body), /secret/);
    assert.ok(logged.includes('worker health: database check failed'));

    ping = () => new Promise(() => undefined);
    const hung = await probe('/healthz');
    assert.equal(hung.status, 503);
    assert.equal(hung.body.checks.database?.error, 'no_answer');
    assert.equal((await probe('/livez')).status, 200);
  });

  it('answers 404 elsewhere', async () => {
    const { port } = await serverStarting;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(response.status, 404);
  });
});
