/**
 * Records histories of representative campaign runs into test/histories/, for the replay test
 * that keeps old histories running as the workflow code changes. Run after a workflow change
 * that is released: `node --import tsx scripts/record-histories.ts [prefix] [run names…]` — keep
 * the old files.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import {
  type CampaignRun,
  historiesOf,
  runChangedCampaign,
  runDisarmedCampaign,
  runDrawnCampaign,
  withCampaignHarness,
} from '../test/support/campaign-runs';
import { repoRoot } from './lib/paths';

async function main() {
  const version = process.argv[2] ?? new Date().toISOString().slice(0, 10);
  // Further arguments name the runs to record (default: all).
  const only = process.argv.slice(3);
  await withCampaignHarness(async ({ env, testDb, emulator }) => {
    const runs = [
      { name: 'drawn', entries: 30, winners: 12, cap: 5 },
      { name: 'cancelled', entries: 3, winners: 1, cancelBeforeApproval: true },
      { name: 'continued', entries: 8, winners: 8, continueAsNewAfterSends: 3 },
    ];
    const recorded: { name: string; record: () => Promise<CampaignRun> }[] = [
      ...runs.map((options) => ({
        name: options.name,
        record: () => runDrawnCampaign(env, testDb, emulator, options),
      })),
      { name: 'disarmed', record: () => runDisarmedCampaign(env, testDb, emulator) },
      { name: 'changed', record: () => runChangedCampaign(env, testDb, emulator) },
      // Claims on: nobody claims, so deadlines forfeit and promote alternates until none is
      // left. Last: its purge workflow stays behind, asleep for the retention period.
      {
        name: 'claims',
        record: () =>
          runDrawnCampaign(env, testDb, emulator, {
            name: 'claims',
            entries: 6,
            winners: 2,
            claimsWithAlternates: 2,
          }),
      },
    ];
    for (const { name, record } of recorded) {
      if (only.length > 0 && !only.includes(name)) continue;
      const run = await record();
      for (const [index, { history }] of (
        await historiesOf(env, run.workflowId, run.firstRunId)
      ).entries()) {
        const file = path.join(
          repoRoot,
          'test',
          'histories',
          `${version}-${run.name}-${index + 1}.json`,
        );
        writeFileSync(file, historyToJSON(history));
        console.log(
          `recorded ${path.relative(repoRoot, file)} (${history.events?.length ?? 0} events)`,
        );
      }
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
