/** The campaign's delivery queue as the legacy workflow drains it, one send at a time. */
import type { Db } from '../../db/client';
import { nextQueuedDeliveries } from '../../db/repositories/deliveries';

export function createDeliveryQueueActivity({ db }: { db: Db }) {
  return {
    /** Ids of deliveries still to send, oldest first ('sending' ones are reconciled on send). */
    async listDeliveryQueue(input: {
      campaignId: string;
      limit: number;
    }): Promise<{ ids: string[] }> {
      const queue = await nextQueuedDeliveries(db, input.campaignId, input.limit);
      return { ids: queue.map((d) => d.id) };
    },
  };
}
