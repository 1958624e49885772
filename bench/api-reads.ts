/**
 * API reads (issue #14): `GET /v1/campaigns/:id` (a collecting campaign's status, which asks the
 * workflow itself through Temporal) under load, against a bare Fastify route (`{ok:true}`) in the
 * same process, with the same connections and duration, in alternating rounds of one run. The
 * load comes from autocannon in a child process, so it does not share the API's event loop.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { BenchContext, Benchmark } from './benchmark';
import {
  apiReadFigures,
  type AutocannonJson,
  combineRounds,
  type LoadSetup,
  type RoundResult,
  roundResult,
} from './api-read-figures';
import { startCollectingInstantWin } from './live-campaign';
import { loadWorld, startLiveStack } from './live-stack';
import type { Figure } from './report';

const SETUP: LoadSetup = { connections: 10, secondsPerRound: 8, rounds: 2 };
const WARMUP_SECONDS = 2;
const LONE_READER_SECONDS = 5;
/** Far above the load: the limiter still runs on every read, but never refuses one. */
const UNLIMITED = { perKey: 1_000_000_000, perAddress: 1_000_000_000, windowMs: 60_000 };

const run = promisify(execFile);

async function autocannon(
  url: string,
  seconds: number,
  headers: Record<string, string>,
  connections = SETUP.connections,
): Promise<AutocannonJson> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '--json',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    ...Object.entries(headers).flatMap(([key, value]) => ['-H', `${key}=${value}`]),
    url,
  ];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 2 ** 20 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as AutocannonJson;
}

async function apiReads(context: BenchContext): Promise<Figure[]> {
  context.progress('starting the dev server, PostgreSQL, the emulator, a worker and the API');
  const stack = await startLiveStack({ taskQueue: 'bench-api-reads', rateLimits: UNLIMITED });
  const bare = Fastify();
  bare.get('/ok', () => ({ ok: true }));
  let workflowId: string | undefined;
  try {
    await loadWorld(stack, []);
    const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/ok`;
    const campaign = await startCollectingInstantWin(stack, {
      keyword: 'よみとり',
      dmDailyCap: 100,
      stock: 10,
      workflowType: context.workflowType,
    });
    workflowId = campaign.workflowId;
    const statusUrl = `${stack.baseUrl}/v1/campaigns/${campaign.campaignId}`;
    const headers = stack.auth('viewer');
    // The measured read must be the live one: the workflow answering its status query.
    const probe = await fetch(statusUrl, { headers });
    const body = (await probe.json()) as { workflow?: { live?: boolean } | null };
    if (probe.status !== 200 || body.workflow?.live !== true) {
      throw new Error(`the status read is not live (${probe.status}): ${JSON.stringify(body)}`);
    }

    context.progress(`warm-up: ${WARMUP_SECONDS} s on each route`);
    await autocannon(bareUrl, WARMUP_SECONDS, {});
    await autocannon(statusUrl, WARMUP_SECONDS, headers);
    const rounds = { status: [] as RoundResult[], bare: [] as RoundResult[] };
    for (let round = 1; round <= SETUP.rounds; round += 1) {
      rounds.bare.push(roundResult(await autocannon(bareUrl, SETUP.secondsPerRound, {})));
      rounds.status.push(roundResult(await autocannon(statusUrl, SETUP.secondsPerRound, headers)));
      const last = rounds.status.at(-1);
      context.progress(
        `round ${round}/${SETUP.rounds}: status ${last?.okPerSecond.toFixed(0)} reads/s, bare ${rounds.bare.at(-1)?.okPerSecond.toFixed(0)} reads/s`,
      );
    }
    // One reader alone: what a read costs without others queued before it (every read asks the
    // same workflow, whose queries the worker answers one at a time).
    const alone = roundResult(await autocannon(statusUrl, LONE_READER_SECONDS, headers, 1));
    context.progress(
      `one connection: ${alone.okPerSecond.toFixed(0)} reads/s, p50 ${alone.p50Ms} ms`,
    );
    return apiReadFigures(
      combineRounds(rounds.status),
      combineRounds(rounds.bare),
      SETUP,
      'a collecting instant win read by a viewer key (describe + status query to the workflow per read); ' +
        `one connection alone: ${alone.okPerSecond.toFixed(1)} reads/s, p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms; ` +
        'API, worker and autocannon on this machine, Temporal dev server and PostgreSQL beside them',
    );
  } finally {
    if (workflowId) {
      await stack.env.client.workflow
        .getHandle(workflowId)
        .terminate('benchmark measured')
        .catch(() => undefined);
    }
    await bare.close();
    await stack.close((message) => context.progress(message));
  }
}

export const apiReadsBenchmark: Benchmark = {
  name: 'api-reads',
  summary:
    'GET /v1/campaigns/:id reads per second and p99 under load, against a bare Fastify route in the same run',
  run: apiReads,
};
