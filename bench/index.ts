/**
 * `npm run bench`: runs the benchmarks, prints their figures against the targets as a table and
 * writes bench/results.json.
 *   npm run bench -- [--workflow campaignWorkflow|campaignV2] [--only engine-idle] [--out file]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { step, withTicker } from '../scripts/lib/progress';
import * as workflows from '../workflows';
import { apiReadsBenchmark } from './api-reads';
import type { Benchmark } from './benchmark';
import { capUtilisationBench } from './cap-utilisation';
import { engineIdle, engineSending } from './engine-cost';
import { engineThroughput } from './engine-throughput';
import { instantWinLatencyBenchmark } from './instant-win-latency';
import { rateBudgetBench } from './rate-budget';
import { scaleHistory, scaleSleeping, scaleWorkers } from './scale';
import {
  buildResults,
  describeMachine,
  formatMarkdown,
  formatTable,
  parseBenchArgs,
  type BenchResults,
  type Figure,
  type Machine,
} from './report';

const benchmarks: Benchmark[] = [
  engineSending,
  engineIdle,
  engineThroughput,
  scaleSleeping,
  scaleWorkers,
  scaleHistory,
  capUtilisationBench,
  rateBudgetBench,
  instantWinLatencyBenchmark,
  apiReadsBenchmark,
];

/** The new engine once it is registered, today's until then. */
const PREFERRED_WORKFLOW_TYPES = ['campaignV2', 'campaignWorkflow'];

function thisMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** The previous results, whose other benchmarks' figures a run of `--only` keeps. */
function readPrevious(file: string): BenchResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

async function main() {
  const workflowTypes = Object.keys(workflows);
  const args = parseBenchArgs(process.argv.slice(2), {
    workflowTypes,
    defaultWorkflowType:
      PREFERRED_WORKFLOW_TYPES.find((type) => workflowTypes.includes(type)) ?? 'campaignWorkflow',
    benchmarks: benchmarks.map((b) => b.name),
    out: path.join(__dirname, 'results.json'),
  });
  // The worker's INFO lines would bury the progress and the table.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const measured: { benchmark: string; figures: Figure[] }[] = [];
  const chosen = benchmarks.filter((b) => args.only.length === 0 || args.only.includes(b.name));
  for (const benchmark of chosen) {
    step(`bench ${benchmark.name}: ${benchmark.summary}`);
    const context = {
      workflowType: args.workflowType,
      progress: (message: string) => step(`bench ${benchmark.name}: ${message}`),
    };
    const figures = await withTicker(`bench ${benchmark.name}`, benchmark.run(context));
    measured.push({ benchmark: benchmark.name, figures });
  }

  const results = buildResults({
    measured,
    machine: thisMachine(),
    date: new Date(),
    workflowType: args.workflowType,
    previous: readPrevious(args.out),
  });
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = args.out.replace(/\.json$/, '') + '.md';
  writeFileSync(markdown, `${formatMarkdown(results)}\n`);
  console.log(`\nKuji benchmarks / ベンチマーク — workflow type ${results.workflowType}\n`);
  const ran = new Set(measured.map((m) => m.benchmark));
  console.log(formatTable(results.figures.filter((f) => ran.has(f.benchmark))));
  console.log(`\nmachine / 計測環境: ${describeMachine(results.machine)}`);
  console.log(
    `results / 結果: ${path.relative(process.cwd(), args.out)}, ${path.relative(process.cwd(), markdown)}` +
      (results.figures.length > measured.flatMap((m) => m.figures).length
        ? " (with the other benchmarks' figures kept from the previous run / 他の指標は前回の値)"
        : ''),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
