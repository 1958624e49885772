/** Production API entry point: `tsx api/server.ts`. Logging, timeouts, graceful close, listen. */
import { Client, Connection } from '@temporalio/client';
import { loadSettings, requireDatabaseUrl } from '../config/settings';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { createDb } from '../db/client';
import { loadCredentialsKey } from '../x/credentials';
import { registerBootstrapAdminKey } from './admin-key';
import { buildApp } from './app';
import { linkingFromSettings } from './x-linking';

async function main() {
  const settings = loadSettings();
  const db = createDb(requireDatabaseUrl(settings), {
    onConnectionError: (error) =>
      console.warn(`api: a database connection ended: ${error.message}`),
  });
  await registerBootstrapAdminKey(db, settings.KUJI_ADMIN_KEY);
  const connection = await Connection.connect(temporalConnectionOptions(settings));
  const app = await buildApp(
    {
      db,
      temporal: new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE }),
      temporalConfig: {
        namespace: settings.TEMPORAL_NAMESPACE,
        taskQueue: settings.TEMPORAL_TASK_QUEUE,
        webUiUrl: settings.TEMPORAL_UI_URL,
      },
      // When https, the console's session cookie is Secure even behind a proxy speaking http.
      publicBaseUrl: settings.PUBLIC_BASE_URL,
      webhookSecret: settings.X_WEBHOOK_SECRET,
      metricsToken: settings.METRICS_TOKEN,
      xLinking: linkingFromSettings(
        settings,
        settings.KUJI_ENCRYPTION_KEY ? loadCredentialsKey(process.env) : undefined,
      ),
      rateLimits: {
        ...(settings.KUJI_RATE_LIMIT_PER_KEY ? { perKey: settings.KUJI_RATE_LIMIT_PER_KEY } : {}),
        ...(settings.KUJI_RATE_LIMIT_PER_ADDRESS
          ? { perAddress: settings.KUJI_RATE_LIMIT_PER_ADDRESS }
          : {}),
      },
    },
    {
      logger: { level: settings.LOG_LEVEL },
      ...(settings.KUJI_TRUST_PROXY ? { trustProxy: settings.KUJI_TRUST_PROXY.split(',') } : {}),
    },
  );
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    try {
      await app.close();
    } finally {
      await connection.close();
      await db.destroy();
    }
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ host: settings.HOST, port: settings.PORT });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
