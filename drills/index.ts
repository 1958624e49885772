/**
 * `npm run drills`: the fault drills, one after another, each within its time budget. Prints a
 * table of what held and writes test-results/drills.json; exits 1 when any drill failed.
 *   npm run drills -- [--only worker-kill,x-faults] [--seed 42]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { repoRoot } from '../scripts/lib/paths';
import { step } from '../scripts/lib/progress';
import type { Drill, DrillOutcome } from './drill';
import { formatDrillTable, parseDrillArgs, type DrillResult } from './report';
import { workerKillDrill } from './worker-kill';
import { serverRestartDrill } from './server-restart';
import { replicasDrill } from './replicas';
import { xFaultsDrill } from './x-faults';
import { accountHaltDrill } from './account-halt';

/** Every drill, in the order they run. */
const drills: Drill[] = [
  xFaultsDrill,
  accountHaltDrill,
  workerKillDrill,
  serverRestartDrill,
  replicasDrill,
];

async function runDrill(drill: Drill, seed: number): Promise<DrillResult> {
  const controller = new AbortController();
  const started = Date.now();
  const budgetMs = drill.budgetSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const overBudget = new Promise<DrillOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`over its budget of ${drill.budgetSeconds} s`));
      // Give the drill a minute to clean up after the abort, then give up on it.
      setTimeout(
        () =>
          resolve({
            passed: false,
            figures: {},
            failures: [
              `did not finish within its budget of ${drill.budgetSeconds} s / 制限時間超過`,
            ],
          }),
        60_000,
      ).unref();
    }, budgetMs);
  });
  const ticker = setInterval(
    () =>
      step(`drill ${drill.name}: still running (${Math.round((Date.now() - started) / 1000)} s)`),
    30_000,
  );
  try {
    const outcome = await Promise.race([
      drill
        .run({
          progress: (message) => step(`drill ${drill.name}: ${message}`),
          signal: controller.signal,
          seed,
        })
        .catch((error: unknown): DrillOutcome => ({
          passed: false,
          figures: {},
          failures: [
            controller.signal.aborted
              ? `did not finish within its budget of ${drill.budgetSeconds} s / 制限時間超過: ${String(error)}`
              : `crashed / 異常終了: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          ],
        })),
      overBudget,
    ]);
    return { name: drill.name, seconds: (Date.now() - started) / 1000, seed, ...outcome };
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
  }
}

async function main(): Promise<number> {
  const args = parseDrillArgs(process.argv.slice(2), {
    drills: drills.map((d) => d.name),
    defaultSeed: Date.now() % 100_000,
  });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const chosen = drills.filter((d) => args.only.length === 0 || args.only.includes(d.name));
  if (chosen.length === 0) {
    console.error('No drills to run / 実行するドリルがありません');
    return 1;
  }
  const results: DrillResult[] = [];
  for (const drill of chosen) {
    step(
      `drill ${drill.name} (seed ${args.seed}, budget ${drill.budgetSeconds} s): ${drill.summary}`,
    );
    const result = await runDrill(drill, args.seed);
    step(
      `drill ${drill.name}: ${result.passed ? 'held' : 'FAILED'} in ${result.seconds.toFixed(0)} s`,
    );
    results.push(result);
  }
  const out = path.join(repoRoot, 'test-results', 'drills.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`\nKuji fault drills / 障害訓練\n`);
  console.log(formatDrillTable(results));
  console.log(`\nresults / 結果: ${path.relative(process.cwd(), out)}`);
  for (const result of results.filter((r) => !r.passed)) {
    console.log(`\n${result.name} (seed ${result.seed}):`);
    for (const failure of result.failures) console.log(`  - ${failure}`);
  }
  return results.every((r) => r.passed) ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
