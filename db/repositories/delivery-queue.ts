/** The deliveries still waiting for their send, in the order the workflow sends them. */
import { sql } from 'kysely';
import type { DeliveryChannel } from '../../domain/consent';
import type { Db } from '../client';

/** States still waiting for their send; a `sending` one is in flight and needs no estimate. */
export const awaitingStates = ['queued', 'reserved'] as const;

export interface AwaitingDelivery {
  id: string;
  channel: DeliveryChannel;
  state: (typeof awaitingStates)[number];
  windowDay: string | null;
}

/**
 * The campaign's waiting deliveries in send order (created order), up to and including the
 * delivery `throughId`: an ETA depends only on what is ahead of it, so a page never reads the
 * queue behind its last delivery, however long that queue is.
 */
export async function listAwaitingDeliveriesThrough(
  db: Db,
  campaignId: string,
  throughId: string,
): Promise<AwaitingDelivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['id', 'channel', 'state', 'window_day'])
    .where('campaign_id', '=', campaignId)
    .where('state', 'in', awaitingStates)
    // Preflight rehearsals are sent by preflight, never from the queue.
    .where('kind', '!=', 'rehearsal')
    // Compared in the database: its timestamps are finer than a JavaScript Date.
    .where(
      sql<boolean>`(created_at, id) <= (select d.created_at, d.id from deliveries d where d.id = ${throughId})`,
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    state: row.state as AwaitingDelivery['state'],
    windowDay: row.window_day,
  }));
}
