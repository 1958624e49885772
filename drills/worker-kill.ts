/**
 * worker-kill: a campaign sends a few hundred DMs while its only worker (worker/main.ts, a real
 * process) is killed with SIGKILL at 20 seeded moments and started again each time. A kill may
 * land between X accepting a DM and Kuji recording it; reconciliation must still send every
 * winner exactly one DM. The emulator, in this process, is the judge.
 */
import type { Drill, DrillContext, DrillOutcome } from './drill';
import { judgeDrillCampaign, sendDrillCampaign, throwIfAborted } from './lib/campaign';
import { withDrillStack } from './lib/stack';
import { killMoments, shortLives } from './process-plan';

const KILLS = 20;
/** Kills while X accepts DMs; the rest kill the lives in between. */
const MID_SEND_KILLS = 7;
const ENTRIES = 320;
const WINNERS = 240;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(context: DrillContext): Promise<DrillOutcome> {
  const { signal, seed } = context;
  const progress = (message: string) => context.progress(message);
  return withDrillStack({ progress }, async (stack) => {
    const moments = killMoments(seed, { kills: MID_SEND_KILLS, sends: WINNERS, maxDelayMs: 500 });
    const lives = shortLives(seed, KILLS - MID_SEND_KILLS, 300, 2500);
    progress(
      `mid-send kills after ${moments.map((m) => `${m.afterDms}+${m.delayMs}ms`).join(', ')} ` +
        `DMs; lives in between (ms): ${lives.join(', ')}`,
    );
    const worker = await stack.startWorker();
    const sending = await sendDrillCampaign(stack, signal, {
      name: 'killed',
      entries: ENTRIES,
      winners: WINNERS,
    });
    const sent = () => sending.sent();
    let killsMidSend = 0;
    const restartSeconds: number[] = [];
    const killAndRestart = async (what: string) => {
      const atKill = sent();
      await worker.kill();
      const restarting = Date.now();
      await worker.start();
      restartSeconds.push((Date.now() - restarting) / 1000);
      progress(`kill ${worker.kills}/${KILLS} ${what} at ${atKill} DMs sent; worker back`);
      return atKill;
    };
    for (const [i, moment] of moments.entries()) {
      while (!sending.done && sent() < moment.afterDms) {
        throwIfAborted(signal);
        await pause(10);
      }
      if (sending.done) break;
      await pause(moment.delayMs);
      if ((await killAndRestart('mid-send')) < WINNERS) killsMidSend += 1;
      // The next lives are killed too: while the server still holds the killed batch (its
      // heartbeat timeout), in workflow tasks, queries, polls, or in the batch's next attempt.
      const livesLeft = lives.length - (worker.kills - 1 - i);
      const quota = Math.ceil(livesLeft / (moments.length - i));
      for (let k = 0; k < quota && worker.kills < KILLS; k += 1) {
        const life = lives[worker.kills - 1 - i] ?? 0;
        await pause(life);
        await killAndRestart(`after ${life} ms alive`);
      }
    }
    await sending.finished;
    const campaignSeconds = Math.round((Date.now() - sending.startedAt) / 1000);
    progress(`completed in ${campaignSeconds} s, ${sent()} DMs sent`);
    const verdict = await judgeDrillCampaign(stack, sending.campaign);
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
        campaignSeconds,
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
  // Each kill costs at most the batch's 10 s heartbeat timeout, a 1 s retry and a restart (no
  // backoff that grows with the deaths): about 100 s here, against the design's 300 s.
  budgetSeconds: 300,
  run,
};
