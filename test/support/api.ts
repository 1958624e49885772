import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import type { XLinking } from '../../api/x-linking';
import type { ApiRole } from '../../db/database';
import { insertApiKey } from '../../db/repositories/api-keys';
import type { TestDatabase } from './database';
import { testCredentialsKey } from './fixtures';
import { workflowBundle, testActivities, testWorker } from './temporal';

export interface ApiHarness {
  app: FastifyInstance;
  worker: Worker;
  keys: Record<ApiRole | 'operator2', string>;
  auth(role: keyof ApiHarness['keys']): { authorization: string };
  close(): Promise<void>;
}

/** The real API on a real Temporal server with a running worker and a real database. */
export async function startApiHarness(
  env: TestWorkflowEnvironment,
  testDb: TestDatabase,
  options: {
    taskQueue?: string;
    webUiUrl?: string;
    xApiBaseUrl?: string;
    /** Linking sender accounts to X (see test/support/linking.ts). */
    xLinking?: XLinking;
    /** The X webhook's consumer secret: with it the API takes X's events at /v1/webhooks/x. */
    webhookSecret?: string;
  } = {},
): Promise<ApiHarness> {
  const taskQueue = options.taskQueue ?? `api-test-${process.pid}`;
  const namespace = env.namespace ?? 'default';
  const worker = await testWorker({
    connection: env.nativeConnection,
    namespace,
    taskQueue,
    activities: testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: options.xApiBaseUrl ?? 'http://127.0.0.1:9',
      publicBaseUrl: 'http://kuji.test',
    }),
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const app = await buildApp({
    db: testDb.db,
    temporal: env.client,
    temporalConfig: { namespace, taskQueue, webUiUrl: options.webUiUrl },
    ...(options.xLinking ? { xLinking: options.xLinking } : {}),
    ...(options.webhookSecret ? { webhookSecret: options.webhookSecret } : {}),
  });
  const keys = {} as ApiHarness['keys'];
  const people: [keyof ApiHarness['keys'], ApiRole][] = [
    ['admin', 'admin'],
    ['operator', 'operator'],
    ['operator2', 'operator'],
    ['approver', 'approver'],
    ['viewer', 'viewer'],
  ];
  for (const [name, role] of people) {
    keys[name] = (await insertApiKey(testDb.db, { id: name, name, role })).secret;
  }
  return {
    app,
    worker,
    keys,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    async close() {
      await app.close();
      worker.shutdown();
      await running;
    },
  };
}
