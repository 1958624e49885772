/**
 * `npm run provision`: finds or builds everything `npm start` and `npm test` need (the Temporal
 * CLI, the time-skipping test server, Chromium for the browser checks) ahead of time, with
 * progress lines, caching each. `npm test` does the same on its own; this is for a slow first
 * run at a convenient moment, or a CI image.
 */
import { step } from './lib/progress';
import {
  ensureChromium,
  ensureTemporalCli,
  ensureTestServer,
  ProvisionError,
} from './lib/provision';

async function main(): Promise<number> {
  const cli = await ensureTemporalCli();
  step(
    `Temporal CLI: ${cli.type === 'existing-path' ? cli.path : 'the SDK downloads it on first use'}`,
  );
  const testServer = await ensureTestServer();
  step(
    `Temporal test server: ${testServer.type === 'existing-path' ? testServer.path : 'the SDK downloads it on first use'}`,
  );
  try {
    step(`Chromium: ${await ensureChromium()}`);
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    step(`${error.message} (only the browser tests need it)`);
    return 1;
  }
  return 0;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
