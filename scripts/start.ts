/**
 * `npm start`: the whole local stack in one process tree — Temporal dev server with Web UI,
 * PostgreSQL, API and worker — then the URLs. Ctrl-C stops everything in order. Services
 * configured by environment (DATABASE_URL, TEMPORAL_ADDRESS) are used instead of local ones.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { buildConsole } from '../console/build';
import { loadSettings } from '../config/settings';
import { createDb, type Db } from '../db/client';
import { migrateToLatest } from '../db/migrate';
import { ensureApiKey, insertApiKey } from '../db/repositories/api-keys';
import { createKujiWorker, webhookUrlFromSettings } from '../worker/worker';
import { generateCredentialsKey, loadCredentialsKey } from '../x/credentials';
import {
  AUTHORIZE_PATH,
  DEMO_CONSUMER_SECRET,
  DEMO_OAUTH_CLIENT,
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  demoScenario,
  startXEmulator,
} from '../emulator';
import { CALLBACK_PATH, linkingFromSettings, type XLinking } from '../api/x-linking';
import { offerDemoCampaign } from './lib/demo-campaign';
import { linkDemoAccount } from './lib/link-demo';
import { dataDir } from './lib/paths';
import { type RunningPostgres, startEmbeddedPostgres } from './lib/postgres';
import { step, withTicker } from './lib/progress';
import { ensureTemporalCli } from './lib/provision';
import { type RunningTemporal, startTemporalDevServer } from './lib/temporal-dev-server';

const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
function onShutdown(name: string, run: () => Promise<unknown>) {
  cleanups.unshift({ name, run });
}

/** Stops everything in reverse start order; no step may hold the rest up for long. */
async function shutdown() {
  for (const { name, run } of cleanups.splice(0)) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        run(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 15 s; moving on')), 15_000);
        }),
      ]);
      if (Date.now() - started > 2000) step(`stopped ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      step(`stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The local admin key: KUJI_ADMIN_KEY, else one created on the first run and kept in .data/. */
async function ensureLocalAdminKey(db: Db, configured: string | undefined) {
  if (configured) {
    await ensureApiKey(db, { name: 'admin', role: 'admin', secret: configured });
    return { secret: configured, created: false, file: undefined };
  }
  const file = path.join(dataDir, 'admin-key');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    await ensureApiKey(db, { name: 'local-admin', role: 'admin', secret });
    return { secret, created: false, file };
  }
  const { secret } = await insertApiKey(db, { name: 'local-admin', role: 'admin' });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true, file };
}

/** KUJI_ENCRYPTION_KEY, else a key generated on the first run and kept in .data/. */
function localCredentialsKey(): Buffer {
  if (process.env.KUJI_ENCRYPTION_KEY) return loadCredentialsKey(process.env);
  const file = path.join(dataDir, 'encryption-key');
  if (!existsSync(file)) {
    writeFileSync(file, `${generateCredentialsKey().toString('base64')}\n`, { mode: 0o600 });
  }
  return loadCredentialsKey({ KUJI_ENCRYPTION_KEY: readFileSync(file, 'utf8') });
}

async function main() {
  const settings = loadSettings();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(dataDir, { recursive: true });
  step(`local state in ${dataDir}`);

  let databaseUrl = settings.DATABASE_URL;
  if (!databaseUrl) {
    const postgres: RunningPostgres = await withTicker(
      'starting PostgreSQL (embedded)',
      startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: Number(process.env.KUJI_POSTGRES_PORT ?? 54329),
        persistent: true,
      }),
    );
    onShutdown('PostgreSQL', () => postgres.stop());
    databaseUrl = postgres.url;
  }
  const db = createDb(databaseUrl);
  onShutdown('database pool', () => db.destroy());
  const applied = await migrateToLatest(db);
  if (applied.length) step(`database migrated: ${applied.join(', ')}`);

  let temporalAddress = settings.TEMPORAL_ADDRESS;
  let webUiUrl = settings.TEMPORAL_UI_URL;
  if (!process.env.TEMPORAL_ADDRESS) {
    const executable = await ensureTemporalCli();
    if (executable.type !== 'existing-path') {
      throw new Error(
        'npm start needs the Temporal CLI: install Go (it is built with `go install`), put `temporal` ' +
          'on PATH, set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server.',
      );
    }
    const temporal: RunningTemporal = await withTicker(
      'starting Temporal dev server',
      startTemporalDevServer({
        cliPath: executable.path,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        ip: '127.0.0.1',
        port: Number(process.env.KUJI_TEMPORAL_PORT ?? 7233),
        uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
      }),
    );
    onShutdown('Temporal dev server', () => temporal.stop());
    temporalAddress = temporal.address;
    webUiUrl ??= temporal.uiUrl;
  }

  const credentialsKey = localCredentialsKey();
  // The X emulator with a demo audience, unless X is configured (X_API_BASE_URL or KUJI_REAL_X=1).
  let xApiBaseUrl = settings.X_API_BASE_URL;
  let emulatorUrl: string | undefined;
  let emulator: Awaited<ReturnType<typeof startXEmulator>> | undefined;
  let webhookSecret = settings.X_WEBHOOK_SECRET;
  let xLinking: XLinking | undefined = linkingFromSettings(settings, credentialsKey);
  if (!xApiBaseUrl && process.env.KUJI_REAL_X !== '1') {
    emulator = await startXEmulator({
      port: Number(process.env.X_EMULATOR_PORT ?? 4000),
      scenario: demoScenario(),
    });
    const running = emulator;
    onShutdown('X emulator', () => running.close());
    webhookSecret ??= DEMO_CONSUMER_SECRET;
    xApiBaseUrl = emulatorUrl = emulator.url;
    // The emulator's own app and consent screen; the callback is known once the API listens.
    xLinking = {
      credentialsKey,
      client: {
        ...DEMO_OAUTH_CLIENT,
        authorizeUrl: `${emulator.url}${AUTHORIZE_PATH}`,
        redirectUri: '',
        api: { baseUrl: emulator.url },
      },
    };
  }

  const consoleBuild = await withTicker('building the console', buildConsole());
  if (consoleBuild.built) step(`console built (${consoleBuild.ms} ms)`);

  const connection = await Connection.connect({ address: temporalAddress });
  onShutdown('client connection', () => connection.close());
  const app = await buildApp(
    {
      db,
      temporal: new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE }),
      temporalConfig: {
        namespace: settings.TEMPORAL_NAMESPACE,
        taskQueue: settings.TEMPORAL_TASK_QUEUE,
        webUiUrl,
      },
      webhookSecret,
      xLinking,
      ...(settings.PUBLIC_BASE_URL ? { publicBaseUrl: settings.PUBLIC_BASE_URL } : {}),
    },
    { logger: { level: settings.LOG_LEVEL } },
  );
  onShutdown('API', () => app.close());
  await app.listen({ host: settings.HOST, port: settings.PORT });
  const address = app.server.address();
  const apiUrl =
    address && typeof address === 'object'
      ? `http://${settings.HOST}:${address.port}`
      : String(address);

  const publicBaseUrl = settings.PUBLIC_BASE_URL ?? apiUrl;
  const adminKey = await ensureLocalAdminKey(db, settings.KUJI_ADMIN_KEY);
  if (emulator && xLinking) {
    // The emulator's browser comes back to where the API listens.
    xLinking.client.redirectUri = `${apiUrl}${CALLBACK_PATH}`;
    // `demo` is linked the way a brand links its account: connect, X's consent, the callback.
    const linked = await linkDemoAccount({
      apiUrl,
      adminKey: adminKey.secret,
      account: { id: 'demo', handle: DEMO_SENDER_USERNAME },
      signInAs: DEMO_SENDER_USER_ID,
    });
    step(`demo sender linked through X's consent screen (emulator) as @${linked.handle}`);
  }
  // The webhook X delivers to, exactly as registered: preflight and the running campaign check
  // that it is live. The emulator reaches the API where it listens; real X, under the public URL
  // (registered outside Kuji, as worker/main.ts assumes). No secret, no webhook: polling alone.
  const webhookUrl = webhookUrlFromSettings(
    { X_WEBHOOK_SECRET: webhookSecret },
    emulator ? apiUrl : publicBaseUrl,
  );
  if (emulator && webhookUrl) {
    // The emulator delivers X Activity API events to our webhook (CRC-checked on registration).
    const crc = await emulator.configureWebhook(webhookUrl, DEMO_CONSUMER_SECRET);
    if (!crc.valid) step(`the emulator's webhook CRC check failed: ${JSON.stringify(crc)}`);
  }

  // Started once the webhook is registered, so the first preflight already finds it armed.
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  onShutdown('worker connection', () => nativeConnection.close());
  const worker = await withTicker(
    'starting worker (bundling workflows)',
    createKujiWorker({
      connection: nativeConnection,
      namespace: settings.TEMPORAL_NAMESPACE,
      taskQueue: settings.TEMPORAL_TASK_QUEUE,
      activities: createActivities({ db, credentialsKey, xApiBaseUrl, publicBaseUrl, webhookUrl }),
    }),
  );
  const workerRun = worker.run();
  onShutdown('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
  });

  const lines = [
    '',
    'Kuji is running.',
    `  API:           ${apiUrl}`,
    `  Console:       ${apiUrl}/console   (sign in with the admin key below)`,
    `  OpenAPI docs:  ${apiUrl}/docs`,
    `  Temporal:      ${temporalAddress}`,
    `  Web UI:        ${webUiUrl ?? '(not configured: set TEMPORAL_UI_URL)'}`,
    `  X API:         ${emulatorUrl ? `${emulatorUrl} (emulator; demo sender account 'demo')` : (xApiBaseUrl ?? 'https://api.x.com')}`,
    adminKey.created
      ? `  Admin key:     ${adminKey.secret}   (shown once; kept in ${adminKey.file})`
      : `  Admin key:     ${adminKey.file ? `in ${adminKey.file}` : 'KUJI_ADMIN_KEY'}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  offerDemoCampaign({ apiUrl, adminKey: adminKey.secret, emulatorUrl, webUiUrl, onShutdown });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    step(`${signal}: stopping`);
    void shutdown().then(() => {
      step('stopped');
      process.exit(0);
    });
  });
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown();
  process.exit(1);
});
