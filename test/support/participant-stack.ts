/**
 * The whole stack a participant meets, for the end-to-end browser test: the time-skipping Temporal
 * server, a worker with the real activities against the X emulator, PostgreSQL, and the real API
 * listening on a port, its OAuth client pointed at the emulator's consent screen and its public
 * base URL the address it listens on (so the links in messages and X's redirect come back to it).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { CALLBACK_PATH } from '../../api/x-linking';
import type { ApiRole } from '../../db/database';
import { insertApiKey } from '../../db/repositories/api-keys';
import { findFreePort } from '../../scripts/lib/postgres';
import { DEMO_OAUTH_CLIENT, startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from './database';
import { seedApprovers, testCredentialsKey } from './fixtures';
import { emulatorLinking } from './linking';
import { createTimeSkippingEnv, testActivities, testWorker, workflowBundle } from './temporal';

export interface ParticipantStack {
  env: TestWorkflowEnvironment;
  testDb: TestDatabase;
  emulator: XEmulator;
  app: FastifyInstance;
  /** Where the API listens, e.g. http://127.0.0.1:43121 (also Kuji's public base URL). */
  baseUrl: string;
  worker: Worker;
  auth(role: ApiRole): { authorization: string };
  /** Workflow ids to terminate before the worker stops (a campaign waiting on claims never ends). */
  started: string[];
  close(): Promise<void>;
}

export async function startParticipantStack(
  options: {
    taskQueue?: string;
    /** The activities' clock (default: the wall clock). */
    activityNow?: () => Date;
    /** X's consumer secret: the API then takes X's webhook (see `deliverWebhooks`). */
    webhookSecret?: string;
  } = {},
): Promise<ParticipantStack> {
  const [env, testDb, emulator] = await Promise.all([
    createTimeSkippingEnv(),
    createTestDatabase(),
    startXEmulator({ port: 0 }),
  ]);
  await seedApprovers(testDb.db);
  const taskQueue = options.taskQueue ?? `participants-${process.pid}`;
  const namespace = env.namespace ?? 'default';
  const linking = emulatorLinking(emulator, DEMO_OAUTH_CLIENT);

  // The API's address is the public base URL the worker writes into links, and where X sends
  // the browser back to.
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  linking.client.redirectUri = `${baseUrl}${CALLBACK_PATH}`;
  const app = await buildApp({
    db: testDb.db,
    temporal: env.client,
    temporalConfig: { namespace, taskQueue },
    xLinking: linking,
    publicBaseUrl: baseUrl,
    ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
  });
  await app.listen({ host: '127.0.0.1', port });

  const worker = await testWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities: testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: baseUrl,
      x: { requestTimeoutMs: 5_000 },
      ...(options.activityNow ? { now: options.activityNow } : {}),
    }),
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();

  const keys = {} as Record<ApiRole, string>;
  for (const role of ['admin', 'operator', 'approver', 'viewer'] as const) {
    keys[role] = (await insertApiKey(testDb.db, { id: role, name: role, role })).secret;
  }
  const started: string[] = [];
  return {
    env,
    testDb,
    emulator,
    app,
    baseUrl,
    worker,
    started,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    async close() {
      for (const id of started) {
        await env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
      }
      await app.close();
      worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await emulator.close();
      await testDb.close();
    },
  };
}

/**
 * Has the emulator deliver X's events to the stack's webhook (after its scenario is loaded: a
 * scenario replaces the webhook registration).
 */
export async function deliverWebhooks(stack: ParticipantStack, secret: string): Promise<void> {
  const crc = await stack.emulator.configureWebhook(`${stack.baseUrl}/v1/webhooks/x`, secret);
  if (!crc.valid) throw new Error(`the webhook's CRC check failed: ${JSON.stringify(crc)}`);
}
