import type { Db } from '../client';

/** The event uuids among `uuids` that were taken in before. */
export async function findSeenWebhookEvents(db: Db, uuids: string[]): Promise<Set<string>> {
  if (uuids.length === 0) return new Set();
  const rows = await db
    .selectFrom('webhook_events')
    .select('event_uuid')
    .where('event_uuid', 'in', uuids)
    .execute();
  return new Set(rows.map((row) => row.event_uuid));
}

/**
 * Remembers events as taken in, once their effects are stored: a delivery that failed half-way is
 * taken in again when X retries it (every effect is idempotent), a replay of a finished one is not.
 */
export async function recordWebhookEvents(
  db: Db,
  events: { eventUuid: string; eventType: string }[],
): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('webhook_events')
    .values(events.map((e) => ({ event_uuid: e.eventUuid, event_type: e.eventType })))
    .onConflict((oc) => oc.column('event_uuid').doNothing())
    .execute();
}
