/**
 * How a campaign's workflow history grows: runs a drawn DM-keyword campaign on the time-skipping
 * server against the X emulator and prints history events per entry and per DM.
 *   node --import tsx bench/workflow-history.ts [entries=2000] [winners=200]
 */
import { historiesOf, runDrawnCampaign, withCampaignHarness } from '../test/support/campaign-runs';

async function main() {
  const entries = Number(process.argv[2] ?? 2000);
  const winners = Number(process.argv[3] ?? 200);
  await withCampaignHarness(async ({ env, testDb, emulator }) => {
    const started = performance.now();
    const run = await runDrawnCampaign(env, testDb, emulator, {
      name: 'bench',
      entries,
      winners,
      cap: 100,
    });
    const seconds = (performance.now() - started) / 1000;
    const runs = await historiesOf(env, run.workflowId, run.firstRunId);
    const events = runs.reduce((sum, r) => sum + (r.history.events?.length ?? 0), 0);
    console.log(`entries                ${entries}`);
    console.log(`DMs sent               ${winners}`);
    console.log(`workflow runs          ${runs.length}`);
    console.log(`history events         ${events}`);
    console.log(`events per entry       ${(events / entries).toFixed(3)}`);
    console.log(`events per DM          ${(events / winners).toFixed(2)}`);
    console.log(
      `wall time              ${seconds.toFixed(1)} s (time-skipping server, emulator, PostgreSQL)`,
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
