/**
 * `npm run bench`: runs the benchmarks, prints their figures against the targets as a table and
 * writes bench/results.json.
 *   npm run bench -- [--workflow campaignWorkflow|campaignV2] [--only engine-idle] [--out file]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { step, withTicker } from '../scripts/lib/progress';
import * as workflows from '../workflows';
import type { Benchmark } from './benchmark';
import { engineIdle, engineSending } from './engine-cost';
import {
  buildResults,
  describeMachine,
  formatTable,
  parseBenchArgs,
  type Figure,
  type Machine,
} from './report';

const benchmarks: Benchmark[] = [engineSending, engineIdle];

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

  const figures: Figure[] = [];
  const chosen = benchmarks.filter((b) => args.only.length === 0 || args.only.includes(b.name));
  for (const benchmark of chosen) {
    step(`bench ${benchmark.name}: ${benchmark.summary}`);
    const context = {
      workflowType: args.workflowType,
      progress: (message: string) => step(`bench ${benchmark.name}: ${message}`),
    };
    figures.push(...(await withTicker(`bench ${benchmark.name}`, benchmark.run(context))));
  }

  const results = buildResults({
    figures,
    machine: thisMachine(),
    date: new Date(),
    workflowType: args.workflowType,
  });
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nKuji benchmarks / ベンチマーク — workflow type ${results.workflowType}\n`);
  console.log(formatTable(results.figures));
  console.log(`\nmachine / 計測環境: ${describeMachine(results.machine)}`);
  console.log(`results / 結果: ${path.relative(process.cwd(), args.out)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
