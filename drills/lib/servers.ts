/**
 * The two servers a drill restarts under a running campaign: embedded PostgreSQL (its data folder
 * kept across restarts) and the Temporal CLI dev server (its SQLite file kept). Each keeps its
 * port, so every client configured with its address finds it again after a restart.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb } from '../../db/client';
import {
  findFreePort,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '../../scripts/lib/postgres';
import { ensureTemporalCli } from '../../scripts/lib/provision';
import {
  type RunningTemporal,
  startTemporalDevServer,
} from '../../scripts/lib/temporal-dev-server';

export interface RestartableServer {
  /** How many times it was restarted. */
  restarts: number;
  /** Stops it and starts it again on the same port with the same data. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface DrillPostgres extends RestartableServer {
  /** The drill's database (`kuji`) on this server. */
  url: string;
  port: number;
}

const DRILL_DATABASE = 'kuji';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PostgreSQL in `dir`/postgres with an empty `kuji` database (not yet migrated). */
export async function startDrillPostgres(dir: string): Promise<DrillPostgres> {
  // As root, PostgreSQL runs as the `postgres` OS user, who must reach the folder.
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const dataDir = path.join(dir, 'postgres');
  const port = await findFreePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, persistent: true });
  let running: RunningPostgres | undefined = await start();
  const admin = createDb(running.url, { max: 1 });
  try {
    await sql`create database ${sql.id(DRILL_DATABASE)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const url = new URL(running.url);
  url.pathname = `/${DRILL_DATABASE}`;
  const server: DrillPostgres = {
    url: url.toString(),
    port,
    restarts: 0,
    async restart(options = {}) {
      await running?.stop();
      running = undefined;
      await pause(options.downMs ?? 0);
      running = await start();
      server.restarts += 1;
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
  return server;
}

export interface DrillTemporal extends RestartableServer {
  address: string;
}

/** The Temporal CLI dev server with its SQLite file in `dir` (the Web UI on a free port). */
export async function startDrillTemporal(dir: string): Promise<DrillTemporal> {
  const executable = await ensureTemporalCli();
  if (executable.type !== 'existing-path') {
    throw new Error(
      'the process drills need the Temporal CLI: run `npm run provision` (it builds it with Go), ' +
        'put `temporal` on PATH or set TEMPORAL_CLI_PATH',
    );
  }
  mkdirSync(dir, { recursive: true });
  const [port, uiPort] = [await findFreePort(), await findFreePort()];
  const start = () =>
    startTemporalDevServer({
      cliPath: executable.path,
      dbFile: path.join(dir, 'temporal.sqlite'),
      ip: '127.0.0.1',
      port,
      uiPort,
    });
  let running: RunningTemporal | undefined = await start();
  const server: DrillTemporal = {
    address: running.address,
    restarts: 0,
    async restart(options = {}) {
      await running?.stop();
      running = undefined;
      await pause(options.downMs ?? 0);
      running = await start();
      server.restarts += 1;
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
  return server;
}
