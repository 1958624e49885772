/** Production worker entry point: `tsx worker/main.ts`. */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadSettings, requireDatabaseUrl } from '../config/settings';
import {
  describeTemporalConnection,
  temporalConnectionOptions,
} from '../config/temporal-connection';
import { createDb } from '../db/client';
import { pingDatabase } from '../db/repositories/health';
import { loadCredentialsKey } from '../x/credentials';
import { startWorkerHealthServer, type WorkerHealthServer } from './health';
import { createKujiWorker, webhookUrlFromSettings } from './worker';

async function main() {
  const settings = loadSettings();
  const credentialsKey = loadCredentialsKey(process.env);
  const db = createDb(requireDatabaseUrl(settings), {
    onConnectionError: (error) =>
      console.warn(`worker: a database connection ended: ${error.message}`),
  });
  const publicBaseUrl = settings.PUBLIC_BASE_URL ?? `http://${settings.HOST}:${settings.PORT}`;
  const temporal = temporalConnectionOptions(settings);
  console.log(`worker: Temporal at ${describeTemporalConnection(temporal)}`);
  const connection = await NativeConnection.connect(temporal);
  let health: WorkerHealthServer | undefined;
  try {
    const worker = await createKujiWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      // A bundle built ahead (scripts/lib/workflow-bundle.ts) spares webpack at every start.
      ...(process.env.KUJI_WORKFLOW_BUNDLE
        ? { workflowBundle: { codePath: process.env.KUJI_WORKFLOW_BUNDLE } }
        : {}),
      activities: createActivities({
        db,
        credentialsKey,
        xApiBaseUrl: settings.X_API_BASE_URL,
        publicBaseUrl,
        webhookUrl: webhookUrlFromSettings(settings, publicBaseUrl),
      }),
    });
    if (settings.KUJI_WORKER_HEALTH_PORT !== undefined) {
      health = await startWorkerHealthServer({
        port: settings.KUJI_WORKER_HEALTH_PORT,
        state: () => worker.getState(),
        pingDatabase: () => pingDatabase(db),
        log: (message, error) => console.error(message, error),
      });
      console.log(`worker: health on port ${health.port} (/livez, /healthz)`);
    }
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks have drained.
    await worker.run();
  } finally {
    await health?.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
