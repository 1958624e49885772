import { sql } from 'kysely';
import type { DeliveryChannel } from '../../domain/consent';
import type { ResendOutcome } from '../../domain/interventions';
import type { XErrorCategory } from '../../domain/x-errors';
import type { Db } from '../client';
import type {
  DeliveryKind,
  DeliveryRow,
  DeliveryState,
  LocalizedTextJson,
  NewDeliveryRow,
} from '../database';

export const deliveryStates = [
  'queued',
  'reserved',
  'sending',
  'sent',
  'failed',
  'skipped',
] as const satisfies readonly DeliveryState[];

/** States a drain still has to act on; `sending` means a previous attempt may have reached X. */
const openStates = ['queued', 'reserved', 'sending'] as const satisfies readonly DeliveryState[];
/** States no later attempt may leave: the message went out, or it never will. */
const finalStates = ['sent', 'skipped'] as const satisfies readonly DeliveryState[];
/**
 * Preflight's DMs to test accounts are stored as deliveries (real DMs, holding slots in the
 * account's quota ledger), but they are not the campaign's: the send queue, the resend and the
 * report leave them out.
 */
const rehearsalKind = 'rehearsal' as const satisfies DeliveryKind;

export interface NewDelivery {
  /** Deterministic (derived from campaign, participant and kind) so a retried insert is a no-op. */
  id: string;
  campaignId: string;
  accountId: string;
  xUserId: string;
  kind: DeliveryKind;
  channel: DeliveryChannel;
  /** Why this channel was chosen (consent plan), shown to operators. */
  channelReason?: unknown;
  /** `skipped` records a participant deliberately not messaged. */
  state?: 'queued' | 'skipped';
  replyToTweetId?: string | null;
  windowDay?: string | null;
  eta?: Date | null;
  interventionId?: string | null;
  resendOf?: string | null;
  /** Fixed text (follow-ups); rendered with the participant's variables at send time. */
  body?: string | null;
}

export interface Delivery {
  id: string;
  campaignId: string;
  accountId: string;
  xUserId: string;
  kind: DeliveryKind;
  channel: DeliveryChannel;
  channelReason: unknown;
  state: DeliveryState;
  attempts: number;
  errorCode: string | null;
  errorCategory: XErrorCategory | null;
  errorReason: LocalizedTextJson | null;
  errorRemedy: LocalizedTextJson | null;
  xEventId: string | null;
  xConversationId: string | null;
  windowDay: string | null;
  eta: Date | null;
  replyToTweetId: string | null;
  sendingStartedAt: Date | null;
  sentAt: Date | null;
  interventionId: string | null;
  resendOf: string | null;
  body: string | null;
  /** Hex SHA-256 of the text sent; null until sent (and for rows sent before it was kept). */
  textDigest: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryFailure {
  code: string;
  category: XErrorCategory;
  reason: LocalizedTextJson;
  remedy: LocalizedTextJson | null;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    accountId: row.account_id,
    xUserId: row.x_user_id,
    kind: row.kind,
    channel: row.channel,
    channelReason: row.channel_reason,
    state: row.state,
    attempts: row.attempts,
    errorCode: row.error_code,
    errorCategory: row.error_category as XErrorCategory | null,
    errorReason: row.error_reason,
    errorRemedy: row.error_remedy,
    xEventId: row.x_event_id,
    xConversationId: row.x_conversation_id,
    windowDay: row.window_day,
    eta: row.eta,
    replyToTweetId: row.reply_to_tweet_id,
    sendingStartedAt: row.sending_started_at,
    sentAt: row.sent_at,
    interventionId: row.intervention_id,
    resendOf: row.resend_of,
    body: row.body,
    textDigest: row.text_digest,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function errorColumns(failure: DeliveryFailure) {
  return {
    error_code: failure.code,
    error_category: failure.category,
    error_reason: JSON.stringify(failure.reason),
    error_remedy: failure.remedy === null ? null : JSON.stringify(failure.remedy),
  };
}

/** Queues deliveries; ids already stored are left untouched. Returns how many were new. */
export async function insertDeliveries(
  db: Db,
  deliveries: readonly NewDelivery[],
): Promise<number> {
  let inserted = 0;
  // 11 parameters a row; batches stay far below PostgreSQL's 65,535 bind parameters.
  for (let start = 0; start < deliveries.length; start += 1_000) {
    const rows: NewDeliveryRow[] = deliveries.slice(start, start + 1_000).map((delivery) => ({
      id: delivery.id,
      campaign_id: delivery.campaignId,
      account_id: delivery.accountId,
      x_user_id: delivery.xUserId,
      kind: delivery.kind,
      channel: delivery.channel,
      channel_reason:
        delivery.channelReason === undefined ? null : JSON.stringify(delivery.channelReason),
      state: delivery.state ?? 'queued',
      reply_to_tweet_id: delivery.replyToTweetId ?? null,
      window_day: delivery.windowDay ?? null,
      eta: delivery.eta ?? null,
      error_code: null,
      error_category: null,
      error_reason: null,
      error_remedy: null,
      x_event_id: null,
      x_conversation_id: null,
      sending_started_at: null,
      sent_at: null,
      intervention_id: delivery.interventionId ?? null,
      resend_of: delivery.resendOf ?? null,
      body: delivery.body ?? null,
    }));
    const result = await db
      .insertInto('deliveries')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    inserted += result.length;
  }
  return inserted;
}

export async function findDelivery(db: Db, id: string): Promise<Delivery | undefined> {
  const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDelivery(row) : undefined;
}

/** Deliveries in creation order; `category` filters on the last error's category. */
export async function listDeliveries(
  db: Db,
  options: {
    campaignId: string;
    state?: DeliveryState;
    category?: XErrorCategory;
    limit: number;
    offset?: number;
  },
): Promise<Delivery[]> {
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('campaign_id', '=', options.campaignId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(options.limit);
  if (options.state) query = query.where('state', '=', options.state);
  if (options.category) query = query.where('error_category', '=', options.category);
  if (options.offset) query = query.offset(options.offset);
  return (await query.execute()).map(toDelivery);
}

/**
 * The next deliveries to work on, oldest first. A `sending` one is in doubt (an earlier attempt
 * may have reached X): the caller reconciles it against the conversation before sending again.
 * Rehearsal DMs are preflight's to send (and reconcile), never the drain's.
 */
export async function nextQueuedDeliveries(
  db: Db,
  campaignId: string,
  limit: number,
): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('kind', '!=', rehearsalKind)
    .where('state', 'in', openStates)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toDelivery);
}

/** Records that the delivery holds a quota slot in `windowDay` (queued → reserved). */
export async function markDeliveryReserved(
  db: Db,
  id: string,
  window: { windowDay: string; eta?: Date | null },
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({
      state: 'reserved',
      window_day: window.windowDay,
      ...(window.eta !== undefined ? { eta: window.eta } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Moves the delivery to `sending` just before the call to X and returns the state it had, so the
 * caller knows whether an earlier attempt may already have reached X (`sending`). A delivery
 * already `sent` or `skipped` is left as it is and its state returned unchanged.
 */
export async function markDeliverySending(
  db: Db,
  id: string,
): Promise<{ previousState: DeliveryState; attempts: number }> {
  // The self-join reads the row as locked by this update, so `previous.state` is the state this
  // statement replaced, even under concurrent attempts.
  const updated = await db
    .with('previous', (qb) =>
      qb.selectFrom('deliveries').select(['id', 'state']).where('id', '=', id).forUpdate(),
    )
    .updateTable('deliveries')
    .from('previous')
    .set((eb) => ({
      state: 'sending',
      attempts: eb('deliveries.attempts', '+', 1),
      sending_started_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    }))
    .whereRef('deliveries.id', '=', 'previous.id')
    .where('previous.state', 'not in', finalStates)
    .returning(['previous.state as previousState', 'deliveries.attempts'])
    .executeTakeFirst();
  if (updated) return updated;

  const current = await findDelivery(db, id);
  if (!current) throw new Error(`delivery ${id} does not exist`);
  return { previousState: current.state, attempts: current.attempts };
}

/** Records X's acceptance; clears the error left by earlier attempts. */
export async function markDeliverySent(
  db: Db,
  id: string,
  sent: {
    xEventId: string;
    xConversationId?: string | null;
    sentAt: Date;
    /** Hex SHA-256 of the text sent (domain/verification.ts messageDigest). */
    textDigest?: string | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({
      state: 'sent',
      x_event_id: sent.xEventId,
      x_conversation_id: sent.xConversationId ?? null,
      sent_at: sent.sentAt,
      text_digest: sent.textDigest ?? null,
      error_code: null,
      error_category: null,
      error_reason: null,
      error_remedy: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('state', '!=', 'skipped')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A permanent failure; a delivery already sent or skipped keeps its state (returns false). */
export async function markDeliveryFailed(
  db: Db,
  id: string,
  failure: DeliveryFailure,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'failed', ...errorColumns(failure), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('state', 'not in', finalStates)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Back to the queue after a retryable failure, keeping the error for operators when given.
 * A delivery already sent or skipped keeps its state (returns false).
 */
export async function markDeliveryQueued(
  db: Db,
  id: string,
  lastError?: DeliveryFailure,
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({
      state: 'queued',
      ...(lastError ? errorColumns(lastError) : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('state', 'not in', finalStates)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Plans the delivery into a local day's window (and an instant within it, when known). */
export async function setDeliveryWindow(
  db: Db,
  id: string,
  window: { windowDay: string | null; eta?: Date | null },
): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({
      window_day: window.windowDay,
      ...(window.eta !== undefined ? { eta: window.eta } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The campaign's results (rehearsals left out) counted by one column, every key present. */
async function countResultsBy<K extends string>(
  db: Db,
  campaignId: string,
  column: 'state' | 'channel',
  keys: readonly K[],
): Promise<Record<K, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => [eb.ref(column).as('key'), eb.fn.countAll<string>().as('count')])
    .where('campaign_id', '=', campaignId)
    .where('kind', '!=', rehearsalKind)
    .groupBy(column)
    .execute();
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const row of rows) counts[row.key as K] = Number(row.count);
  return counts;
}

/** The campaign's deliveries per state, every state present (0 when none); no rehearsals. */
export function deliveryCounts(db: Db, campaignId: string): Promise<Record<DeliveryState, number>> {
  return countResultsBy(db, campaignId, 'state', deliveryStates);
}

/**
 * Results by the channel they were planned for (rehearsals left out): `result_page` counts the
 * participants told on the campaign's page only (their delivery row is `skipped`, nothing sent).
 */
export function deliveryChannelCounts(
  db: Db,
  campaignId: string,
): Promise<Record<DeliveryChannel, number>> {
  return countResultsBy(db, campaignId, 'channel', ['dm', 'reply', 'result_page'] as const);
}

/**
 * Sent deliveries of an account per local day, oldest day first: the day of the quota slot the
 * delivery used, else its planned window day (deliveries that needed no DM slot, e.g. replies).
 * Rehearsal DMs are left out; the quota ledger (`quotaUsage`) still counts their slots.
 */
export async function sentPerDay(
  db: Db,
  options: { accountId: string; campaignId?: string },
): Promise<{ dayKey: string; count: number }[]> {
  let query = db
    .selectFrom('deliveries')
    .leftJoin('dm_quota_slots', (join) =>
      join
        .onRef('dm_quota_slots.account_id', '=', 'deliveries.account_id')
        .onRef('dm_quota_slots.delivery_id', '=', 'deliveries.id'),
    )
    .select((eb) => [
      eb.fn.coalesce('dm_quota_slots.day_key', 'deliveries.window_day').as('day_key'),
      eb.fn.countAll<string>().as('count'),
    ])
    .where('deliveries.account_id', '=', options.accountId)
    .where('deliveries.kind', '!=', rehearsalKind)
    .where('deliveries.state', '=', 'sent')
    .where((eb) =>
      eb.or([
        eb('dm_quota_slots.day_key', 'is not', null),
        eb('deliveries.window_day', 'is not', null),
      ]),
    )
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  if (options.campaignId) query = query.where('deliveries.campaign_id', '=', options.campaignId);
  const rows = await query.execute();
  return rows.map((row) => ({ dayKey: row.day_key as string, count: Number(row.count) }));
}

/** The campaign's failed deliveries grouped by error code, most frequent first; no rehearsals. */
export async function failuresByCode(
  db: Db,
  campaignId: string,
): Promise<{ code: string; category: XErrorCategory | null; count: number }[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['error_code', 'error_category', eb.fn.countAll<string>().as('count')])
    .where('campaign_id', '=', campaignId)
    .where('kind', '!=', rehearsalKind)
    .where('state', '=', 'failed')
    .groupBy(['error_code', 'error_category'])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('error_code')
    .execute();
  return rows.map((row) => ({
    code: row.error_code ?? 'unknown',
    category: row.error_category as XErrorCategory | null,
    count: Number(row.count),
  }));
}

/**
 * Sends a failed delivery again (operator's resend): failed → queued; false otherwise, and for a
 * rehearsal DM (the next preflight rehearses again; the drain never sends one).
 */
export async function requeueFailedDelivery(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'queued', updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('kind', '!=', rehearsalKind)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The operator's resend of a selection: each failed delivery goes back to the queue in one
 * guarded update, so a second press — while the first is pending or after it was sent — finds
 * nothing failed and sends nothing more. A rehearsal DM is no campaign delivery: `not_found`.
 */
export async function requeueFailedDeliveries(
  db: Db,
  campaignId: string,
  ids: readonly string[],
): Promise<{ id: string; outcome: ResendOutcome }[]> {
  if (ids.length === 0) return [];
  const requeued = await db
    .updateTable('deliveries')
    .set({ state: 'queued', updated_at: sql<Date>`now()` })
    .where('campaign_id', '=', campaignId)
    .where('id', 'in', ids)
    .where('kind', '!=', rehearsalKind)
    .where('state', '=', 'failed')
    .returning('id')
    .execute();
  const queued = new Set(requeued.map((row) => row.id));
  const rows = await db
    .selectFrom('deliveries')
    .select(['id', 'state'])
    .where('campaign_id', '=', campaignId)
    .where('id', 'in', ids)
    .where('kind', '!=', rehearsalKind)
    .execute();
  const states = new Map(rows.map((row) => [row.id, row.state]));
  return ids.map((id) => {
    if (queued.has(id)) return { id, outcome: 'queued' as const };
    const state = states.get(id);
    if (state === undefined) return { id, outcome: 'not_found' as const };
    if (state === 'sent') return { id, outcome: 'already_sent' as const };
    if ((openStates as readonly string[]).includes(state))
      return { id, outcome: 'already_pending' as const };
    return { id, outcome: 'not_failed' as const };
  });
}

/** Which sent messages a misdelivery report covers: by kind and send time, or by id. */
export interface MisdeliverySelector {
  kinds?: DeliveryKind[];
  sentFrom?: string;
  sentUntil?: string;
  deliveryIds?: string[];
}

/** The deliveries that went out and match a misdelivery report: the follow-up's recipients. */
export async function sentDeliveriesMatching(
  db: Db,
  campaignId: string,
  selector: MisdeliverySelector,
): Promise<Delivery[]> {
  let query = db
    .selectFrom('deliveries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'sent')
    .where('kind', 'in', selector.kinds?.length ? selector.kinds : ['win', 'lose'])
    // A rehearsal went to a test account before launch: no follow-up is owed to it.
    .where('kind', '!=', rehearsalKind)
    .orderBy('sent_at')
    .orderBy('id');
  if (selector.sentFrom) query = query.where('sent_at', '>=', new Date(selector.sentFrom));
  if (selector.sentUntil) query = query.where('sent_at', '<', new Date(selector.sentUntil));
  if (selector.deliveryIds) {
    if (selector.deliveryIds.length === 0) return [];
    query = query.where('id', 'in', selector.deliveryIds);
  }
  return (await query.execute()).map(toDelivery);
}
