/**
 * The time-skipping test server for a benchmark on a loaded machine. The SDK starts it itself but
 * gives the JVM 5 seconds (hard-coded in sdk-core); with six engineers on 2 cores it often needs
 * more. Here the server is a child process given a minute to listen, then the test environment
 * connects to it as an existing server with time skipping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTestServer } from '../scripts/lib/provision';
import { campaignSearchAttributes } from '../workflows/search-attributes';

const START_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const indexedValueTypes: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

export interface PatientTimeSkippingEnv {
  env: TestWorkflowEnvironment;
  teardown(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startTimeSkippingEnv(): Promise<PatientTimeSkippingEnv> {
  const executable = await ensureTestServer();
  if (executable.type !== 'existing-path') {
    throw new Error(`the time-skipping server is not a local executable (${executable.type})`);
  }
  const port = await freePort();
  const child = spawn(executable.path, [String(port)], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (child.exitCode !== null)
        throw new Error(`the time-skipping server exited (${child.exitCode})`);
      if (Date.now() > deadline)
        throw new Error(`the time-skipping server did not listen in ${START_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // `create` is what createTimeSkipping and createFromExistingServer call; TypeScript marks it
    // private, and no public factory joins an existing server with time skipping.
    const factory = TestWorkflowEnvironment as unknown as {
      create(options: Record<string, unknown>): Promise<TestWorkflowEnvironment>;
    };
    const env = await factory.create({
      server: { type: 'existing' },
      address: `127.0.0.1:${port}`,
      namespace: 'default',
      supportsTimeSkipping: true,
    });
    // The Java test server knows no custom search attributes until they are registered.
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        campaignSearchAttributes.map((key) => {
          const type = indexedValueTypes[key.type];
          if (type === undefined) throw new Error(`no indexed value type for ${key.type}`);
          return [key.name, type];
        }),
      ),
    });
    return {
      env,
      teardown: async () => {
        await env.teardown();
        await stop(child);
      },
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}
