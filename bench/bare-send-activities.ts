/**
 * The bench-only activity of the bare send loop (bench/workflows/bare-send-loop.ts): one DM sent
 * through Kuji's X access, the layer deliverBatch sends through, with nothing of the campaign
 * path around it (no delivery rows, quota ledger, pacing or batch), and the same DMs sent one
 * after another from a single activity.
 */
import type { SendDmInput, XAccess } from '../activities/x-access';

export function createBareSendActivities(x: Pick<XAccess, 'xSendDm'>) {
  return {
    async benchSendDm(input: SendDmInput): Promise<string> {
      const result = await x.xSendDm(input);
      return result.dmEventId;
    },
    /** Sends `text` to each participant in turn inside this one activity; returns the count. */
    async benchSendDms(input: {
      accountId: string;
      participantIds: string[];
      text: string;
    }): Promise<number> {
      for (const participantId of input.participantIds) {
        await x.xSendDm({ accountId: input.accountId, participantId, text: input.text });
      }
      return input.participantIds.length;
    },
  };
}

export type BareSendActivities = ReturnType<typeof createBareSendActivities>;
