/**
 * `npm run emulator [scenario.json]`: the X emulator on its own, on X_EMULATOR_PORT (default
 * 4000), loaded with the scenario file from argv or X_EMULATOR_SCENARIO, else the demo world.
 */
import { readFile } from 'node:fs/promises';
import { demoScenario } from './demo';
import type { Scenario } from './scenario';
import { startXEmulator } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.X_EMULATOR_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`X_EMULATOR_PORT is not a port: ${process.env.X_EMULATOR_PORT}`);
  const scenarioPath = process.argv[2] ?? process.env.X_EMULATOR_SCENARIO;
  const scenario = scenarioPath
    ? (JSON.parse(await readFile(scenarioPath, 'utf8')) as Scenario)
    : demoScenario({ webhookUrl: process.env.X_EMULATOR_WEBHOOK_URL });
  const emulator = await startXEmulator({
    port,
    host: process.env.X_EMULATOR_HOST ?? '127.0.0.1',
    scenario,
  });
  console.log(
    `X emulator listening on ${emulator.url} (${scenarioPath ? `scenario ${scenarioPath}` : 'demo scenario'})`,
  );
  console.log(`Admin API: ${emulator.url}/_admin/state`);
  const shutdown = () => {
    emulator
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
