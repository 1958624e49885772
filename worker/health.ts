/**
 * The worker's health endpoint for Kubernetes probes (the worker serves no other HTTP).
 * `GET /livez`: the Temporal worker is polling (its state, nothing else: restarting a worker does
 * not cure a database outage). `GET /healthz`: polling and PostgreSQL answers, so a rollout waits
 * for a new worker that can run activities. 200 or 503 with the same JSON shape as the API's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WorkerState =
  'INITIALIZED' | 'RUNNING' | 'STOPPED' | 'STOPPING' | 'DRAINING' | 'DRAINED' | 'FAILED';

export interface WorkerHealthOptions {
  /** `worker.getState()`. */
  state: () => WorkerState;
  /** A round trip to PostgreSQL (`pingDatabase(db)`). */
  pingDatabase: () => Promise<void>;
  port: number;
  host?: string;
  timeoutMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface WorkerHealthBody {
  status: 'ok' | 'degraded';
  down: ('worker' | 'database')[];
  checks: {
    worker: { ok: boolean; state: WorkerState };
    database?: { ok: boolean; latencyMs: number; error?: 'no_answer' | 'failed' };
  };
}

export const workerHealthPaths = { liveness: '/livez', readiness: '/healthz' } as const;

async function checkDatabase(
  ping: () => Promise<void>,
  timeoutMs: number,
  log: WorkerHealthOptions['log'],
): Promise<NonNullable<WorkerHealthBody['checks']['database']>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pinging = ping();
  // A ping that outlives the deadline must not become an unhandled rejection.
  pinging.catch(() => undefined);
  const latency = () => Math.round(performance.now() - started);
  try {
    const answered = await Promise.race([
      pinging.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    return answered
      ? { ok: true, latencyMs: latency() }
      : { ok: false, latencyMs: latency(), error: 'no_answer' };
  } catch (error) {
    log?.('worker health: database check failed', error);
    return { ok: false, latencyMs: latency(), error: 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** The answer to one probe; exported for tests. */
export async function workerHealth(
  options: Pick<WorkerHealthOptions, 'state' | 'pingDatabase' | 'timeoutMs' | 'log'>,
  withDatabase: boolean,
): Promise<WorkerHealthBody> {
  const state = options.state();
  const worker = { ok: state === 'RUNNING', state };
  const checks: WorkerHealthBody['checks'] = { worker };
  if (withDatabase) {
    checks.database = await checkDatabase(
      options.pingDatabase,
      options.timeoutMs ?? 2000,
      options.log,
    );
  }
  const down: WorkerHealthBody['down'] = [];
  if (!worker.ok) down.push('worker');
  if (checks.database && !checks.database.ok) down.push('database');
  return { status: down.length === 0 ? 'ok' : 'degraded', down, checks };
}

export interface WorkerHealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startWorkerHealthServer(
  options: WorkerHealthOptions,
): Promise<WorkerHealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const probe =
      path === workerHealthPaths.readiness
        ? true
        : path === workerHealthPaths.liveness
          ? false
          : undefined;
    if (request.method !== 'GET' || probe === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 'not_found' }));
      return;
    }
    workerHealth(options, probe).then(
      (body) => {
        response.writeHead(body.status === 'ok' ? 200 : 503, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
        });
        response.end(JSON.stringify(body));
      },
      (error: unknown) => {
        options.log?.('worker health: check threw', error);
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 'internal' }));
      },
    );
  });
  // Probes must not keep a draining worker alive, nor wait on keep-alive sockets at close.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
