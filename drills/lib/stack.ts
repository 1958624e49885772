/**
 * A stack of real processes for the process drills and benchmarks: embedded PostgreSQL and the
 * Temporal CLI dev server (both restartable, their data kept), the X emulator in the drill's own
 * process (the judge: it outlives every kill and restart), and Kuji's production entry points
 * (worker/main.ts, api/server.ts) as child processes configured by environment only.
 *
 *   await withDrillStack({ progress }, async (stack) => {
 *     const worker = await stack.startWorker();
 *     ...
 *     await worker.restart();
 *   });
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { startXEmulator, type XEmulator } from '../../emulator';
import { findFreePort } from '../../scripts/lib/postgres';
import { writeWorkflowBundle } from '../../scripts/lib/workflow-bundle';
import { seedApprovers, testCredentialsKey } from '../../test/support/fixtures';
import { ManagedProcess } from './child-process';
import {
  type DrillPostgres,
  type DrillTemporal,
  startDrillPostgres,
  startDrillTemporal,
} from './servers';

export interface DrillStackOptions {
  progress(message: string): void;
  /**
   * X's consumer secret for the APIs' webhook route. Workers get none: nothing registers the
   * stack's public URL with X, so they poll (and take the APIs' nudges) instead of checking it.
   */
  webhookSecret?: string;
  /** Added to every API process's environment (e.g. KUJI_RATE_LIMIT_PER_KEY). */
  apiEnv?: Record<string, string>;
}

export interface DrillApi {
  process: ManagedProcess;
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  url: string;
}

export interface DrillStack {
  /** Temporary folder of this stack (PostgreSQL data, Temporal's SQLite file); deleted on close. */
  dir: string;
  postgres: DrillPostgres;
  temporal: DrillTemporal;
  emulator: XEmulator;
  /** The drill's own pool on Kuji's database (migrated; approvers bob, carol, dave seeded). */
  db: Db;
  /** A Temporal client of the drill's own (it reconnects after a dev server restart). */
  client: Client;
  /** Aborted as the stack closes: long calls on `client` pass it (`client.withAbortSignal`). */
  closing: AbortSignal;
  taskQueue: string;
  /** The bootstrap admin key every API process registers (KUJI_ADMIN_KEY). */
  adminKey: string;
  /** Kuji's public base URL as the workers write it into links. */
  publicBaseUrl: string;
  /** The environment every Kuji process gets (database, Temporal, X, credentials key). */
  kujiEnv(): Record<string, string>;
  /** A worker process (worker/main.ts), started and polling. */
  startWorker(name?: string): Promise<ManagedProcess>;
  /** An API process (api/server.ts) on a free port, started and answering. */
  startApi(name?: string): Promise<DrillApi>;
  workers: ManagedProcess[];
  apis: DrillApi[];
}

/** The Temporal SDK's worker logs this when it starts polling. */
const WORKER_RUNNING = /Worker state changed[^}]*RUNNING/;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Starts the stack, runs `work`, and stops every process and server and deletes the folder. */
export async function withDrillStack<T>(
  options: DrillStackOptions,
  work: (stack: DrillStack) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kuji-drill-'));
  // As root, PostgreSQL runs as the `postgres` OS user, who must enter the folder.
  chmodSync(dir, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) =>
        options.progress(`cleanup: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.progress('starting PostgreSQL, the Temporal dev server and the X emulator');
    const [postgres, temporal, emulator, bundleFile] = await Promise.all([
      startDrillPostgres(path.join(dir, 'pg')).then((server) => {
        cleanups.push(() => server.stop());
        return server;
      }),
      startDrillTemporal(path.join(dir, 'temporal')).then((server) => {
        cleanups.push(() => server.stop());
        return server;
      }),
      startXEmulator({ port: 0 }).then((server) => {
        cleanups.push(() => server.close());
        return server;
      }),
      // Built once: every worker start (and restart) then skips the seconds of webpack.
      writeWorkflowBundle().then((file) => {
        cleanups.push(() => Promise.resolve(rmSync(file, { force: true })));
        return file;
      }),
    ]);
    const db = createDb(postgres.url);
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    await seedApprovers(db);
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    // Calls still waiting (a workflow's result) are cancelled before their channel closes.
    const closing = new AbortController();
    cleanups.push(() => Promise.resolve(closing.abort(new Error('the drill stack is closing'))));

    const taskQueue = `drill-${randomBytes(4).toString('hex')}`;
    const adminKey = `kuji_drill_${randomBytes(18).toString('hex')}`;
    const publicBaseUrl = 'http://kuji.drill.test';
    const workers: ManagedProcess[] = [];
    const apis: DrillApi[] = [];
    const kujiEnv = (): Record<string, string> => ({
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      KUJI_ENCRYPTION_KEY: testCredentialsKey.toString('base64'),
      X_API_BASE_URL: emulator.url,
      PUBLIC_BASE_URL: publicBaseUrl,
      LOG_LEVEL: 'warn',
    });
    const stack: DrillStack = {
      dir,
      postgres,
      temporal,
      emulator,
      db,
      client: new Client({ connection, namespace: 'default' }),
      closing: closing.signal,
      taskQueue,
      adminKey,
      publicBaseUrl,
      kujiEnv,
      workers,
      apis,
      async startWorker(name = `worker-${workers.length + 1}`) {
        const worker = new ManagedProcess({
          name,
          entry: 'worker/main.ts',
          env: { ...kujiEnv(), KUJI_WORKFLOW_BUNDLE: bundleFile },
          ready: { line: WORKER_RUNNING },
        });
        cleanups.push(() => worker.stop());
        workers.push(worker);
        await worker.start();
        return worker;
      },
      async startApi(name = `api-${apis.length + 1}`) {
        const port = await findFreePort();
        const url = `http://127.0.0.1:${port}`;
        const api = new ManagedProcess({
          name,
          entry: 'api/server.ts',
          env: {
            ...kujiEnv(),
            HOST: '127.0.0.1',
            PORT: String(port),
            KUJI_ADMIN_KEY: adminKey,
            ...(options.webhookSecret ? { X_WEBHOOK_SECRET: options.webhookSecret } : {}),
            ...options.apiEnv,
          },
          ready: { probe: () => answers(`${url}/healthz`) },
        });
        cleanups.push(() => api.stop());
        apis.push({ process: api, url });
        await api.start();
        return { process: api, url };
      },
    };
    return await work(stack);
  } finally {
    await cleanUp();
  }
}
