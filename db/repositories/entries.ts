import { sql } from 'kysely';
import type { ConsentBasis, EntrySource } from '../../domain/consent';
import { storableText } from '../../domain/storable-text';
import { isXUsername } from '../../domain/templates';
import type { Db } from '../client';
import type {
  EntryEventReceivedVia,
  EntryEventRow,
  EntryOutcome,
  EntryReasonJson,
  EntryRow,
} from '../database';

/** One piece of X activity as the webhook or the polling reconciliation saw it. */
export interface NewEntryEvent {
  campaignId: string;
  /** X's own id: post id, DM event id, or `${source}:${userId}` for repost/follow/like. */
  xEventId: string;
  source: EntrySource;
  xUserId: string;
  username?: string | null;
  text?: string | null;
  occurredAt?: Date | null;
  receivedVia: EntryEventReceivedVia;
}

export interface EntryEvent {
  /** bigserial, kept textual: it can outgrow a JavaScript number. */
  id: string;
  campaignId: string;
  xEventId: string;
  source: EntrySource;
  xUserId: string;
  username: string | null;
  text: string | null;
  occurredAt: Date | null;
  receivedVia: EntryEventReceivedVia;
  processedAt: Date | null;
  createdAt: Date;
}

/** One participant of one campaign: what we know about them and how they fared. */
export interface Entry {
  campaignId: string;
  xUserId: string;
  username: string | null;
  consentBasis: ConsentBasis;
  facts: unknown;
  /** null until eligibility has been judged. */
  eligible: boolean | null;
  reasons: EntryReasonJson[];
  outcome: EntryOutcome;
  prizeId: string | null;
  prizeCode: string | null;
  firstSeenAt: Date;
  updatedAt: Date;
}

export interface EntryUpsert {
  campaignId: string;
  xUserId: string;
  username: string | null;
  consentBasis: ConsentBasis;
  facts: unknown;
  eligible: boolean | null;
  reasons: readonly EntryReasonJson[];
}

export interface EntryOutcomeChange {
  xUserId: string;
  outcome: EntryOutcome;
  /** Omitted keeps the stored prize; null clears it. */
  prizeId?: string | null;
  /** Omitted keeps the stored code; null clears it. */
  prizeCode?: string | null;
}

export interface EntryFunnel {
  /** Distinct X events collected (webhook and polling deduplicated). */
  events: number;
  participants: number;
  eligible: number;
  ineligible: number;
  won: number;
  lost: number;
  alternates: number;
  /** Participants whose outcome is `ineligible` (the same people as `ineligible`, counted by outcome). */
  ineligibleOutcome: number;
  /** Eligible participants not yet decided (before the draw, or held). */
  pending: number;
  /** Events taken and decided by the workflow, and those still waiting. */
  processedEvents: number;
  unprocessedEvents: number;
  /** Participants whose eligibility was never judged, and ineligible ones without a reason. */
  unjudged: number;
  ineligibleWithoutReason: number;
  /** Ineligible participants per reason code; one participant counts under each of its reasons. */
  byIneligibleReason: Record<string, number>;
}

// 9 parameters a row keeps a batch far below PostgreSQL's 65,535 bind parameters.
const insertBatchSize = 1_000;

export function toEntryEvent(row: EntryEventRow): EntryEvent {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    xEventId: row.x_event_id,
    source: row.source,
    xUserId: row.x_user_id,
    username: row.username,
    text: row.text,
    occurredAt: row.occurred_at,
    receivedVia: row.received_via,
    processedAt: row.processed_at,
    createdAt: row.created_at,
  };
}

export function toEntry(row: EntryRow): Entry {
  return {
    campaignId: row.campaign_id,
    xUserId: row.x_user_id,
    username: row.username,
    consentBasis: row.consent_basis,
    facts: row.facts,
    eligible: row.eligible,
    reasons: row.reasons,
    outcome: row.outcome,
    prizeId: row.prize_id,
    prizeCode: row.prize_code,
    firstSeenAt: row.first_seen_at,
    updatedAt: row.updated_at,
  };
}

/** Stores events once per X id (a webhook and a poll may both see one); returns how many were new. */
export async function insertEntryEvents(db: Db, events: readonly NewEntryEvent[]): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < events.length; start += insertBatchSize) {
    const batch = events.slice(start, start + insertBatchSize);
    const rows = await db
      .insertInto('entry_events')
      .values(
        batch.map((event) => ({
          campaign_id: event.campaignId,
          x_event_id: event.xEventId,
          source: event.source,
          x_user_id: event.xUserId,
          // What X sends reaches templates and pages: only an X-shaped username is kept, and text
          // loses what PostgreSQL cannot store.
          username: isXUsername(event.username) ? event.username : null,
          text: event.text == null ? null : storableText(event.text),
          occurred_at: event.occurredAt ?? null,
          received_via: event.receivedVia,
          processed_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['campaign_id', 'source', 'x_event_id']).doNothing())
      .returning('id')
      .execute();
    inserted += rows.length;
  }
  return inserted;
}

/** Up to `limit` unprocessed events, oldest stored first, read without claiming them. */
export async function listUnprocessedEvents(
  db: Db,
  campaignId: string,
  limit: number,
): Promise<EntryEvent[]> {
  const rows = await db
    .selectFrom('entry_events')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('processed_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toEntryEvent);
}

/**
 * Claims the events with these ids that are still unprocessed, marking them processed; rows
 * another worker is claiming are skipped. Call it inside the transaction that applies them.
 */
export async function claimEntryEventsById(
  db: Db,
  campaignId: string,
  ids: readonly string[],
): Promise<EntryEvent[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .with('claimable', (qb) =>
      qb
        .selectFrom('entry_events')
        .select('id')
        .where('campaign_id', '=', campaignId)
        .where('id', 'in', [...ids])
        .where('processed_at', 'is', null)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('entry_events')
    .from('claimable')
    .set({ processed_at: sql<Date>`now()` })
    .whereRef('entry_events.id', '=', 'claimable.id')
    .returningAll('entry_events')
    .execute();
  return rows
    .map(toEntryEvent)
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
}

/** Hands claimed events back (unprocessed again) for a later batch to take. */
export async function releaseEntryEvents(
  db: Db,
  campaignId: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('entry_events')
    .set({ processed_at: null })
    .where('campaign_id', '=', campaignId)
    .where('id', 'in', [...ids])
    .execute();
}

export async function countUnprocessedEvents(db: Db, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('entry_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('campaign_id', '=', campaignId)
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Records a participant's latest facts and eligibility. A decided outcome (won, lost, alternate)
 * is kept; an undecided one follows eligibility (`ineligible` when not eligible, else `pending`).
 */
export async function upsertEntry(db: Db, entry: EntryUpsert): Promise<Entry> {
  const undecidedOutcome: EntryOutcome = entry.eligible === false ? 'ineligible' : 'pending';
  const row = await db
    .insertInto('entries')
    .values({
      campaign_id: entry.campaignId,
      x_user_id: entry.xUserId,
      username: entry.username,
      consent_basis: entry.consentBasis,
      facts: JSON.stringify(entry.facts ?? {}),
      eligible: entry.eligible,
      reasons: JSON.stringify(entry.reasons),
      outcome: undecidedOutcome,
      prize_id: null,
      prize_code: null,
    })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'x_user_id']).doUpdateSet((eb) => ({
        username: eb.fn.coalesce('excluded.username', 'entries.username'),
        consent_basis: eb.ref('excluded.consent_basis'),
        facts: eb.ref('excluded.facts'),
        eligible: eb.ref('excluded.eligible'),
        reasons: eb.ref('excluded.reasons'),
        outcome: eb
          .case()
          .when('entries.outcome', 'in', ['pending', 'ineligible'])
          .then(eb.ref('excluded.outcome'))
          .else(eb.ref('entries.outcome'))
          .end(),
        updated_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

export async function findEntry(
  db: Db,
  campaignId: string,
  xUserId: string,
): Promise<Entry | undefined> {
  const row = await db
    .selectFrom('entries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('x_user_id', '=', xUserId)
    .executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

/** A page of entries ordered by X user id; pass the last id seen as `afterUserId` for the next. */
export async function listEntries(
  db: Db,
  campaignId: string,
  options: { outcome?: EntryOutcome; eligible?: boolean; limit: number; afterUserId?: string },
): Promise<Entry[]> {
  let query = db
    .selectFrom('entries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('x_user_id')
    .limit(options.limit);
  if (options.outcome) query = query.where('outcome', '=', options.outcome);
  if (options.eligible !== undefined) query = query.where('eligible', '=', options.eligible);
  if (options.afterUserId !== undefined) query = query.where('x_user_id', '>', options.afterUserId);
  return (await query.execute()).map(toEntry);
}

/**
 * The draw pool: eligible participants not yet decided, sorted the way domain/lottery.ts sorts
 * (UTF-16 code units, not the database collation).
 */
export async function eligibleEntryIds(db: Db, campaignId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('entries')
    .select('x_user_id')
    .where('campaign_id', '=', campaignId)
    .where('eligible', '=', true)
    .where('outcome', '=', 'pending')
    .execute();
  return rows.map((row) => row.x_user_id).sort();
}

/** Applies decided outcomes in one statement; returns how many entries changed. */
export async function setEntryOutcomes(
  db: Db,
  campaignId: string,
  outcomes: readonly EntryOutcomeChange[],
): Promise<number> {
  if (outcomes.length === 0) return 0;
  const column = <T>(pick: (change: EntryOutcomeChange) => T): T[] => outcomes.map(pick);
  const result = await sql`
    update entries as e set
      outcome = v.outcome,
      prize_id = case when v.set_prize_id then v.prize_id else e.prize_id end,
      prize_code = case when v.set_prize_code then v.prize_code else e.prize_code end,
      updated_at = now()
    from unnest(
      ${column((c) => c.xUserId)}::text[],
      ${column((c) => c.outcome)}::text[],
      ${column((c) => c.prizeId !== undefined)}::boolean[],
      ${column((c) => c.prizeId ?? null)}::text[],
      ${column((c) => c.prizeCode !== undefined)}::boolean[],
      ${column((c) => c.prizeCode ?? null)}::text[]
    ) as v(x_user_id, outcome, set_prize_id, prize_id, set_prize_code, prize_code)
    where e.campaign_id = ${campaignId} and e.x_user_id = v.x_user_id
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export async function entryFunnel(db: Db, campaignId: string): Promise<EntryFunnel> {
  const events = await db
    .selectFrom('entry_events')
    .select((eb) => [
      eb.fn.countAll<string>().as('count'),
      eb.fn.countAll<string>().filterWhere('processed_at', 'is not', null).as('processed'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const counts = await db
    .selectFrom('entries')
    .select((eb) => [
      eb.fn.countAll<string>().as('participants'),
      eb.fn.countAll<string>().filterWhere('eligible', '=', true).as('eligible'),
      eb.fn.countAll<string>().filterWhere('eligible', '=', false).as('ineligible'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'won').as('won'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'lost').as('lost'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'alternate').as('alternates'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'ineligible').as('ineligibleOutcome'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'pending').as('pending'),
      eb.fn.countAll<string>().filterWhere('eligible', 'is', null).as('unjudged'),
      eb.fn
        .countAll<string>()
        .filterWhere((w) =>
          w.and([w('eligible', '=', false), w(sql`jsonb_array_length(reasons)`, '=', 0)]),
        )
        .as('ineligibleWithoutReason'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const reasons = await sql<{ code: string; count: string }>`
    select reason ->> 'code' as code, count(*) as count
    from entries, jsonb_array_elements(entries.reasons) as reason
    where entries.campaign_id = ${campaignId} and entries.eligible = false
    group by 1
    order by 1
  `.execute(db);
  return {
    events: Number(events.count),
    participants: Number(counts.participants),
    eligible: Number(counts.eligible),
    ineligible: Number(counts.ineligible),
    won: Number(counts.won),
    lost: Number(counts.lost),
    alternates: Number(counts.alternates),
    ineligibleOutcome: Number(counts.ineligibleOutcome),
    pending: Number(counts.pending),
    processedEvents: Number(events.processed),
    unprocessedEvents: Number(events.count) - Number(events.processed),
    unjudged: Number(counts.unjudged),
    ineligibleWithoutReason: Number(counts.ineligibleWithoutReason),
    byIneligibleReason: Object.fromEntries(
      reasons.rows.map((row) => [row.code, Number(row.count)]),
    ),
  };
}

/**
 * Which of `xUserIds` won in which of `campaignIds` (for "winners of earlier campaigns may not
 * win again"): user id → the campaign ids they won.
 */
export async function findWinsInCampaigns(
  db: Db,
  campaignIds: readonly string[],
  xUserIds: readonly string[],
): Promise<Map<string, string[]>> {
  const wins = new Map<string, string[]>();
  if (campaignIds.length === 0 || xUserIds.length === 0) return wins;
  const rows = await db
    .selectFrom('entries')
    .select(['x_user_id', 'campaign_id'])
    .where('campaign_id', 'in', [...campaignIds])
    .where('x_user_id', 'in', [...xUserIds])
    .where('outcome', '=', 'won')
    .orderBy('campaign_id')
    .execute();
  for (const row of rows)
    wins.set(row.x_user_id, [...(wins.get(row.x_user_id) ?? []), row.campaign_id]);
  return wins;
}

/** Participants not yet drawn (eligible and pending, or ineligible): the draw re-checks them. */
export async function listUndrawnEntries(db: Db, campaignId: string): Promise<Entry[]> {
  const rows = await db
    .selectFrom('entries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('outcome', 'in', ['pending', 'ineligible'])
    .orderBy('x_user_id')
    .execute();
  return rows.map(toEntry);
}

/** Valid entries refused as duplicates over the campaign (beyond each person's limit). */
export async function countRefusedDuplicateEntries(db: Db, campaignId: string): Promise<number> {
  const row = await sql<{ total: string | null }>`
    select sum(coalesce((facts ->> 'refusedEntries')::int, 0)) as total
    from entries
    where campaign_id = ${campaignId}
  `.execute(db);
  return Number(row.rows[0]?.total ?? 0);
}
