/**
 * The reference of the engine throughput benchmark: the barest workflow that sends DMs, one
 * activity per DM in a loop, through the same X access (twitter-api-v2 client, credentials
 * lookup, usage counting) Kuji's delivery uses; and the X access's own floor, every DM from one
 * activity. Bench-only: never registered by Kuji's worker.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BareSendActivities } from '../bare-send-activities';

const { benchSendDm, benchSendDms } = proxyActivities<BareSendActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export interface BareSendLoopInput {
  accountId: string;
  recipientIds: string[];
  text: string;
}

/** Sends `text` to each recipient in turn; returns how many DMs X accepted. */
export async function bareSendLoop(input: BareSendLoopInput): Promise<number> {
  let sent = 0;
  for (const participantId of input.recipientIds) {
    await benchSendDm({ accountId: input.accountId, participantId, text: input.text });
    sent += 1;
  }
  return sent;
}

/** Every DM from a single activity, one after another: the X access and emulator's own rate. */
export async function bareSendBatch(input: BareSendLoopInput): Promise<number> {
  return benchSendDms({
    accountId: input.accountId,
    participantIds: input.recipientIds,
    text: input.text,
  });
}
