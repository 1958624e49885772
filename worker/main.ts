/** Production worker entry point: `tsx worker/main.ts`. */
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadSettings, requireDatabaseUrl } from '../config/settings';
import { createDb } from '../db/client';
import { loadCredentialsKey } from '../x/credentials';
import { createKujiWorker, webhookUrlFromSettings } from './worker';

async function main() {
  const settings = loadSettings();
  const credentialsKey = loadCredentialsKey(process.env);
  const db = createDb(requireDatabaseUrl(settings));
  const publicBaseUrl = settings.PUBLIC_BASE_URL ?? `http://${settings.HOST}:${settings.PORT}`;
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  try {
    const worker = await createKujiWorker({
      connection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      activities: createActivities({
        db,
        credentialsKey,
        xApiBaseUrl: settings.X_API_BASE_URL,
        publicBaseUrl,
        webhookUrl: webhookUrlFromSettings(settings, publicBaseUrl),
      }),
    });
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks have drained.
    await worker.run();
  } finally {
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
