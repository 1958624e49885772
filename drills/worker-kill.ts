/**
 * worker-kill: a campaign sends a few hundred DMs while its only worker (worker/main.ts, a real
 * process) is killed with SIGKILL at 20 seeded moments and started again each time. A kill may
 * land between X accepting a DM and Kuji recording it; reconciliation must still send every
 * winner exactly one DM. The emulator, in this process, is the judge.
 */
import type { Drill, DrillContext, DrillOutcome } from './drill';
import {
  approveWhenAsked,
  awaitResult,
  judgeDrillCampaign,
  seedDrillCampaign,
  startDrillCampaign,
  throwIfAborted,
} from './lib/campaign';
import { withDrillStack } from './lib/stack';
import { killMoments } from './process-plan';

const KILLS = 20;
const ENTRIES = 320;
const WINNERS = 240;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(context: DrillContext): Promise<DrillOutcome> {
  const { signal, seed } = context;
  const progress = (message: string) => context.progress(message);
  return withDrillStack({ progress }, async (stack) => {
    const moments = killMoments(seed, {
      kills: KILLS,
      maxAfterFirstDmMs: 1500,
      minUptimeMs: 500,
      maxUptimeMs: 3000,
    });
    progress(
      `kills (ms after a life's first DM / alive without one): ${moments
        .map((m) => `${m.afterFirstDmMs}/${m.uptimeMs}`)
        .join(', ')}`,
    );
    const worker = await stack.startWorker();
    const campaign = await seedDrillCampaign(stack, {
      name: 'killed',
      entries: ENTRIES,
      winners: WINNERS,
      collectSeconds: 3,
    });
    const handle = await startDrillCampaign(stack, campaign);
    const started = Date.now();
    // Approval goes on between the kills: its query waits for whichever life is up.
    const approved = approveWhenAsked(handle, signal);
    approved.catch(() => undefined);
    const result = awaitResult(handle, signal);
    result.catch(() => undefined);
    let done = false;
    void result.then(
      () => (done = true),
      () => (done = true),
    );
    const sent = () => stack.emulator.sent().dms.length;
    let killsMidSend = 0;
    const restartSeconds: number[] = [];
    // The kills start with sending: before it, a kill only stalls preflight or the draw (whose
    // heartbeat timeouts are minutes) and proves nothing about DMs.
    while (!done && sent() === 0) {
      throwIfAborted(signal);
      await pause(20);
    }
    for (const [i, moment] of moments.entries()) {
      const before = sent();
      const alive = Date.now();
      let firstDmAt: number | undefined;
      while (!done) {
        throwIfAborted(signal);
        if (firstDmAt === undefined && sent() > before) firstDmAt = Date.now();
        if (firstDmAt !== undefined && Date.now() - firstDmAt >= moment.afterFirstDmMs) break;
        if (firstDmAt === undefined && Date.now() - alive >= moment.uptimeMs) break;
        await pause(10);
      }
      if (done) break;
      const atKill = sent();
      await worker.kill();
      if (firstDmAt !== undefined && atKill < WINNERS) killsMidSend += 1;
      const restarting = Date.now();
      await worker.start();
      restartSeconds.push((Date.now() - restarting) / 1000);
      progress(
        `kill ${i + 1}/${KILLS} ${firstDmAt !== undefined ? 'mid-send' : 'between sends'}, ` +
          `${atKill} DMs sent; worker back`,
      );
    }
    await approved;
    await result;
    progress(`completed in ${Math.round((Date.now() - started) / 1000)} s, ${sent()} DMs sent`);
    const verdict = await judgeDrillCampaign(stack, campaign);
    const failures = [...verdict.failures];
    if (worker.kills < KILLS) {
      failures.push(
        `only ${worker.kills} of ${KILLS} kills happened before the campaign completed / 強制終了の回数不足`,
      );
    }
    const meanRestart = restartSeconds.reduce((a, b) => a + b, 0) / (restartSeconds.length || 1);
    return {
      passed: failures.length === 0,
      figures: {
        ...verdict.figures,
        kills: worker.kills,
        killsMidSend,
        restartSeconds: Number(meanRestart.toFixed(1)),
        campaignSeconds: Math.round((Date.now() - started) / 1000),
      },
      failures,
    };
  });
}

export const workerKillDrill: Drill = {
  name: 'worker-kill',
  summary:
    `SIGKILL the worker process ${KILLS} times at seeded moments while ${WINNERS} DMs go out; ` +
    'every winner gets exactly one DM / ワーカーを強制終了しても当選 DM は各 1 通',
  // The design's 300 s cannot hold: each kill mid-send costs the batch's 30 s heartbeat timeout
  // plus a retry backoff that doubles with every death of the same batch (5, 10, 20, 40 s).
  budgetSeconds: 420,
  run,
};
