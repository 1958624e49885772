import { type ChildProcess, spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { campaignSearchAttributes } from '../../workflows/search-attributes';
import { step } from './progress';

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const searchAttributeTypeNames: Record<string, string> = { KEYWORD: 'Keyword', BOOL: 'Bool' };

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`temporal exited early with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address}: ${String(lastError)}`);
}

/**
 * The Temporal CLI dev server with its Web UI and a SQLite file, so a second `npm start` finds
 * the campaigns of the first.
 */
async function isServing(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 500 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export async function startTemporalDevServer(options: {
  cliPath: string;
  dbFile: string;
  ip: string;
  port: number;
  uiPort: number;
}): Promise<RunningTemporal> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFile,
    '--namespace',
    'default',
    '--log-level',
    'error',
    ...campaignSearchAttributes.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${searchAttributeTypeNames[key.type] ?? key.type}`,
    ]),
  ];
  const address = `${options.ip}:${options.port}`;
  if (await isServing(address)) {
    throw new Error(
      `something already serves Temporal on ${address} (another npm start?). Stop it, choose another ` +
        'port with KUJI_TEMPORAL_PORT, or use that server with TEMPORAL_ADDRESS.',
    );
  }
  // Own process group: Ctrl-C reaches only Kuji, which stops the server after the worker drained;
  // if Kuji dies first, the exit hook still kills it.
  const child = spawn(options.cliPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilServing(address, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: `http://${options.ip}:${options.uiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        step('Temporal dev server did not stop within 10 s; killing it');
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(killer);
      process.removeListener('exit', killOnExit);
    },
  };
}
