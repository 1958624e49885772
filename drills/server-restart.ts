/**
 * server-restart: while a campaign sends, the Temporal dev server is stopped and started again
 * on its SQLite file, and later PostgreSQL on its data folder, each at a seeded moment and for a
 * seeded outage. The worker process stays up and must find both again; the campaign completes
 * and every winner gets exactly one DM, judged by the emulator (in this process).
 */
import type { Drill, DrillContext, DrillOutcome } from './drill';
import { judgeDrillCampaign, sendDrillCampaign, throwIfAborted } from './lib/campaign';
import { withDrillStack } from './lib/stack';
import { restartPlan } from './process-plan';

const ENTRIES = 320;
const WINNERS = 240;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(context: DrillContext): Promise<DrillOutcome> {
  const { signal, seed } = context;
  const progress = (message: string) => context.progress(message);
  return withDrillStack({ progress }, async (stack) => {
    const plan = restartPlan(seed, WINNERS);
    progress(
      `Temporal down for ${plan.temporalDownMs} ms after ${plan.temporalAfterDms} DMs, ` +
        `PostgreSQL down for ${plan.postgresDownMs} ms after ${plan.postgresAfterDms} DMs`,
    );
    const worker = await stack.startWorker();
    const sending = await sendDrillCampaign(stack, signal, {
      name: 'restarted',
      entries: ENTRIES,
      winners: WINNERS,
    });
    const sent = () => sending.sent();
    const failures: string[] = [];
    // A worker must ride out an outage; one that exited is a finding, started again to finish.
    const keepWorkerUp = async () => {
      if (worker.running) return;
      failures.push(
        `the worker process exited during an outage / 障害中にワーカーが終了: ${worker.log.slice(-300)}`,
      );
      await worker.start();
    };
    const untilSent = async (count: number) => {
      while (!sending.done && sent() < count) {
        throwIfAborted(signal);
        await keepWorkerUp();
        await pause(10);
      }
    };
    await untilSent(plan.temporalAfterDms);
    const atTemporal = sent();
    if (sending.done)
      failures.push('the campaign completed before the Temporal restart / 再起動前に完了');
    else {
      await stack.temporal.restart({ downMs: plan.temporalDownMs });
      progress(`Temporal dev server restarted at ${atTemporal} DMs sent`);
    }
    await untilSent(plan.postgresAfterDms);
    const atPostgres = sent();
    if (sending.done)
      failures.push('the campaign completed before the PostgreSQL restart / 再起動前に完了');
    else {
      await stack.postgres.restart({ downMs: plan.postgresDownMs });
      progress(`PostgreSQL restarted at ${atPostgres} DMs sent`);
    }
    while (!sending.done) {
      throwIfAborted(signal);
      await keepWorkerUp();
      await pause(100);
    }
    await sending.finished;
    const campaignSeconds = Math.round((Date.now() - sending.startedAt) / 1000);
    progress(`completed in ${campaignSeconds} s, ${sent()} DMs sent`);
    const verdict = await judgeDrillCampaign(stack, sending.campaign);
    failures.push(...verdict.failures);
    return {
      passed: failures.length === 0,
      figures: {
        ...verdict.figures,
        temporalRestartAtDms: atTemporal,
        postgresRestartAtDms: atPostgres,
        campaignSeconds,
      },
      failures,
    };
  });
}

export const serverRestartDrill: Drill = {
  name: 'server-restart',
  summary:
    `restart the Temporal dev server (SQLite kept) and PostgreSQL while ${WINNERS} DMs go out; ` +
    'the campaign completes, every winner gets exactly one DM / サーバー再起動後も DM は各 1 通',
  budgetSeconds: 240,
  run,
};
