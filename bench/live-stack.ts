/**
 * Kuji live, for the benchmarks that time it on the wall clock: the Temporal CLI dev server (a
 * child process), a fresh PostgreSQL database, the X emulator, a worker with the production
 * activities and worker options (real pacing sleep, 1 s heartbeat throttle) and the real API
 * listening on a free port, X's webhook registered at it. Worker and API run in this process;
 * the dev server and PostgreSQL in their own.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { createActivities } from '../activities';
import { realPacingSleep, type PacingSleep } from '../activities/delivery/pacing-sleep';
import { buildApp } from '../api/app';
import type { ApiRole } from '../db/database';
import { insertApiKey } from '../db/repositories/api-keys';
import { DEMO_CONSUMER_SECRET, startXEmulator, type XEmulator } from '../emulator';
import { seedApprovers, testCredentialsKey } from '../test/support/fixtures';
import { createDevServerEnv, workflowBundle } from '../test/support/temporal';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { createKujiWorker } from '../worker/worker';
import { type Participant, worldScenario } from '../test/support/campaign-world';
import type { Interval } from './latency';

export interface LiveStack {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  emulator: XEmulator;
  app: FastifyInstance;
  /** Where the API listens, e.g. http://127.0.0.1:43121. */
  baseUrl: string;
  taskQueue: string;
  /** Every pacing sleep the sending activity made, on the wall clock. */
  pacingWaits: Interval[];
  auth(role: ApiRole): { authorization: string };
  /** Stops everything; `progress` hears of a part that took seconds to stop. */
  close(progress?: (message: string) => void): Promise<void>;
}

export async function startLiveStack(options: {
  taskQueue: string;
  /** API options for the run (the reads benchmark lifts the per-key request limit). */
  rateLimits?: { perKey: number; perAddress: number; windowMs: number };
}): Promise<LiveStack> {
  const [env, testDb, emulator] = await Promise.all([
    createDevServerEnv(),
    createTestDatabase(),
    startXEmulator({ port: 0 }),
  ]);
  const closers: [string, () => Promise<unknown>][] = [
    ['PostgreSQL', () => testDb.close()],
    ['emulator', () => emulator.close()],
    ['dev server', () => env.teardown()],
  ];
  const closeAll = async (progress?: (message: string) => void) => {
    for (const [name, close] of closers.reverse()) {
      const startMs = Date.now();
      await close().catch(() => undefined);
      const seconds = (Date.now() - startMs) / 1000;
      if (seconds >= 2) progress?.(`stopping the ${name} took ${seconds.toFixed(1)} s`);
    }
  };
  try {
    await seedApprovers(testDb.db);
    const namespace = env.namespace ?? 'default';
    const app = await buildApp({
      db: testDb.db,
      temporal: env.client,
      temporalConfig: { namespace, taskQueue: options.taskQueue },
      webhookSecret: DEMO_CONSUMER_SECRET,
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    });
    closers.push(['API', () => app.close()]);
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const webhookUrl = `${baseUrl}/v1/webhooks/x`;

    const pacingWaits: Interval[] = [];
    const recordedSleep: PacingSleep = async (ms, signal) => {
      const startMs = Date.now();
      try {
        await realPacingSleep(ms, signal);
      } finally {
        pacingWaits.push({ startMs, endMs: Date.now() });
      }
    };
    const worker = await createKujiWorker({
      connection: env.nativeConnection,
      namespace,
      taskQueue: options.taskQueue,
      activities: createActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        publicBaseUrl: baseUrl,
        webhookUrl,
        pacingSleep: recordedSleep,
      }),
      workflowBundle: await workflowBundle(),
    });
    const running = worker.run();
    closers.push([
      'worker',
      async () => {
        worker.shutdown();
        await running;
      },
    ]);

    const keys = {} as Record<ApiRole, string>;
    for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
      keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
    }
    return {
      env,
      testDb,
      emulator,
      app,
      baseUrl,
      taskQueue: options.taskQueue,
      pacingWaits,
      auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The demo sender and `people` on X (worldScenario: X's DM limits lifted far above any
 * benchmark's sends), X's webhook registered at the API (a scenario replaces the registration).
 */
export async function loadWorld(stack: LiveStack, people: Participant[]): Promise<void> {
  await stack.emulator.loadScenario(worldScenario(people));
  const crc = await stack.emulator.configureWebhook(
    `${stack.baseUrl}/v1/webhooks/x`,
    DEMO_CONSUMER_SECRET,
  );
  if (!crc.valid) throw new Error(`the webhook's CRC check failed: ${JSON.stringify(crc)}`);
}
