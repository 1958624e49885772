/**
 * Claims (issue #12): one row per prize awarded to a person who must claim it before a deadline.
 * The state moves open → claimed or open → forfeited once, each by one conditional UPDATE, so a
 * claim and the deadline's forfeit racing each other cannot both win. The claim form's answers
 * arrive sealed (api/claim-answers.ts seals them with the deployment's encryption key) and are
 * stored and returned as that sealed text, never opened here; they are purged after the
 * campaign's retention period.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../client';
import type { ClaimRow, Database } from '../database';

export type ClaimState = 'open' | 'claimed' | 'forfeited';

export interface ClaimView {
  campaignId: string;
  xUserId: string;
  prizeId: string | null;
  state: ClaimState;
  openedAt: Date;
  deadlineAt: Date;
  claimedAt: Date | null;
  forfeitedAt: Date | null;
  promotedAt: Date | null;
  replacesXUserId: string | null;
  dataPurgedAt: Date | null;
}

export type SubmitClaimResult =
  | { ok: true; claim: ClaimView }
  | { ok: false; reason: 'no_claim' | 'already_claimed' | 'forfeited' | 'expired' };

export interface NewClaim {
  campaignId: string;
  xUserId: string;
  prizeId: string | null;
  openedAt: Date;
  deadlineAt: Date;
  /** Set for a promoted alternate: whose forfeited prize they take. */
  replacesXUserId?: string | null;
}

export interface ClaimCounts {
  open: number;
  claimed: number;
  forfeited: number;
  /** Claims that went to alternates (whatever became of them). */
  promoted: number;
  /** Every claim of the campaign (every prize awarded, promotions included). */
  total: number;
  /**
   * The earliest deadline of an open claim whose win message went out (one still queued has
   * no running deadline); null when there is none.
   */
  nextDeadlineAt: Date | null;
}

function toClaimView(row: ClaimRow): ClaimView {
  return {
    campaignId: row.campaign_id,
    xUserId: row.x_user_id,
    prizeId: row.prize_id,
    state: row.state,
    openedAt: row.opened_at,
    deadlineAt: row.deadline_at,
    claimedAt: row.claimed_at,
    forfeitedAt: row.forfeited_at,
    promotedAt: row.promoted_at,
    replacesXUserId: row.replaces_x_user_id,
    dataPurgedAt: row.data_purged_at,
  };
}

export async function findClaim(
  db: Db,
  campaignId: string,
  xUserId: string,
): Promise<ClaimView | undefined> {
  const row = await db
    .selectFrom('claims')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('x_user_id', '=', xUserId)
    .executeTakeFirst();
  return row ? toClaimView(row) : undefined;
}

/**
 * Opens claims for prizes that became people's (a draw, instant wins, promotions). Idempotent:
 * a person's existing claim is kept as it is, so a retried activity changes nothing.
 */
export async function insertClaims(db: Db, claims: readonly NewClaim[]): Promise<number> {
  if (claims.length === 0) return 0;
  const result = await db
    .insertInto('claims')
    .values(
      claims.map((claim) => ({
        campaign_id: claim.campaignId,
        x_user_id: claim.xUserId,
        prize_id: claim.prizeId,
        opened_at: claim.openedAt,
        deadline_at: claim.deadlineAt,
        replaces_x_user_id: claim.replacesXUserId ?? null,
        promoted_at: claim.replacesXUserId ? claim.openedAt : null,
      })),
    )
    .onConflict((oc) => oc.columns(['campaign_id', 'x_user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/**
 * The claim's win message has not gone out yet (queued, reserved or being sent): its winner was
 * never told, so the deadline does not run against them (docs/claims.md).
 */
function winMessagePending(eb: ExpressionBuilder<Database, 'claims'>) {
  return eb.exists(
    eb
      .selectFrom('deliveries as d')
      .select('d.id')
      .whereRef('d.campaign_id', '=', 'claims.campaign_id')
      .whereRef('d.x_user_id', '=', 'claims.x_user_id')
      .where('d.kind', '=', 'win')
      .where('d.state', 'in', ['queued', 'reserved', 'sending']),
  );
}

/** Atomic: only an open claim before its deadline becomes claimed. */
export async function submitClaim(
  db: Db,
  input: {
    campaignId: string;
    xUserId: string;
    /** The form's answers as sealed for this claim (api/claim-answers.ts); null when none. */
    sealedAnswers: string | null;
    now: Date;
  },
): Promise<SubmitClaimResult> {
  const row = await db
    .updateTable('claims')
    .set({ state: 'claimed', claimed_at: input.now, data_sealed: input.sealedAnswers })
    .where('campaign_id', '=', input.campaignId)
    .where('x_user_id', '=', input.xUserId)
    .where('state', '=', 'open')
    // A winner not yet told (their win message still queued) is not late: their deadline
    // counts from the send (extendClaimDeadline).
    .where((eb) => eb.or([eb('deadline_at', '>', input.now), winMessagePending(eb)]))
    .returningAll()
    .executeTakeFirst();
  if (row) return { ok: true, claim: toClaimView(row) };
  const existing = await findClaim(db, input.campaignId, input.xUserId);
  if (!existing) return { ok: false, reason: 'no_claim' };
  if (existing.state === 'claimed') return { ok: false, reason: 'already_claimed' };
  if (existing.state === 'forfeited') return { ok: false, reason: 'forfeited' };
  return { ok: false, reason: 'expired' };
}

/**
 * Every claim of the campaign with its answers as stored, sealed (null when none were asked for
 * or they were purged), for the operators who send the prizes: api/claim-answers.ts opens them.
 */
export async function listClaimsForOperators(
  db: Db,
  campaignId: string,
): Promise<Array<ClaimView & { sealedAnswers: string | null }>> {
  const rows = await db
    .selectFrom('claims')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('opened_at')
    .orderBy('x_user_id')
    .execute();
  return rows.map((row) => ({ ...toClaimView(row), sealedAnswers: row.data_sealed }));
}

/**
 * A win message sent later than the claim opened gives the full time from when it was sent:
 * the deadline only ever moves later, and only while the claim is open.
 */
export async function extendClaimDeadline(
  db: Db,
  input: { campaignId: string; xUserId: string; notifiedAt: Date; hours: number },
): Promise<void> {
  const candidate = new Date(input.notifiedAt.getTime() + input.hours * 60 * 60 * 1000);
  await db
    .updateTable('claims')
    .set({ deadline_at: sql<Date>`greatest(deadline_at, ${candidate})` })
    .where('campaign_id', '=', input.campaignId)
    .where('x_user_id', '=', input.xUserId)
    .where('state', '=', 'open')
    .execute();
}

/**
 * Forgets every claim form answer of the campaign: every row still holding answers (also one
 * claimed after an earlier purge) and marks every row purged; the rows stay, for the counts.
 */
export async function purgeClaimData(
  db: Db,
  input: { campaignId: string; now: Date },
): Promise<{ purged: number }> {
  const result = await db
    .updateTable('claims')
    .set({ data_sealed: null, data_purged_at: input.now })
    .where('campaign_id', '=', input.campaignId)
    .where((eb) => eb.or([eb('data_sealed', 'is not', null), eb('data_purged_at', 'is', null)]))
    .executeTakeFirst();
  return { purged: Number(result.numUpdatedRows) };
}

/**
 * The campaign ended (completed or cancelled): every claim still open is forfeited at `now`, so
 * nothing can be claimed any more. Returns how many it closed.
 */
export async function closeOpenClaims(
  db: Db,
  input: { campaignId: string; now: Date },
): Promise<number> {
  const result = await db
    .updateTable('claims')
    .set({ state: 'forfeited', forfeited_at: input.now })
    .where('campaign_id', '=', input.campaignId)
    .where('state', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Alternates who took a forfeited prize, in the order they were promoted. */
export async function listPromotions(
  db: Db,
  campaignId: string,
): Promise<Array<{ xUserId: string; replacesXUserId: string; promotedAt: Date }>> {
  const rows = await db
    .selectFrom('claims')
    .select(['x_user_id', 'replaces_x_user_id', 'promoted_at'])
    .where('campaign_id', '=', campaignId)
    .where('replaces_x_user_id', 'is not', null)
    .orderBy('promoted_at')
    .orderBy('opened_at')
    .execute();
  return rows.flatMap((row) =>
    row.replaces_x_user_id && row.promoted_at
      ? [
          {
            xUserId: row.x_user_id,
            replacesXUserId: row.replaces_x_user_id,
            promotedAt: row.promoted_at,
          },
        ]
      : [],
  );
}

/**
 * Forfeits every open claim whose deadline has passed at `now`, in one statement: a claim that
 * was submitted first is no longer open and stays claimed. Returns the forfeited claims.
 */
export async function forfeitExpiredClaims(
  db: Db,
  input: { campaignId: string; now: Date },
): Promise<ClaimView[]> {
  const rows = await db
    .updateTable('claims')
    .set({ state: 'forfeited', forfeited_at: input.now })
    .where('campaign_id', '=', input.campaignId)
    .where('state', '=', 'open')
    .where('deadline_at', '<=', input.now)
    .where((eb) => eb.not(winMessagePending(eb)))
    .returningAll()
    .execute();
  return rows
    .map(toClaimView)
    .sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime() || cmp(a.xUserId, b.xUserId));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Forfeited claims nobody has taken over yet (no promoted claim replaces them), oldest first:
 * what a promotion still owes, also after a retry.
 */
export async function listUnreplacedForfeits(db: Db, campaignId: string): Promise<ClaimView[]> {
  const rows = await db
    .selectFrom('claims as c')
    .selectAll('c')
    .where('c.campaign_id', '=', campaignId)
    .where('c.state', '=', 'forfeited')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('claims as r')
            .select('r.x_user_id')
            .whereRef('r.campaign_id', '=', 'c.campaign_id')
            .whereRef('r.replaces_x_user_id', '=', 'c.x_user_id'),
        ),
      ),
    )
    .orderBy('c.forfeited_at')
    .orderBy('c.deadline_at')
    .orderBy('c.x_user_id')
    .execute();
  return rows.map(toClaimView);
}

/** X user ids with a claim in the campaign: they have had a prize, so are never promoted. */
export async function listClaimantIds(db: Db, campaignId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('claims')
    .select('x_user_id')
    .where('campaign_id', '=', campaignId)
    .execute();
  return new Set(rows.map((row) => row.x_user_id));
}

/** Whether the campaign has opened any claim (a prize awarded with claims on). */
export async function hasClaims(db: Db, campaignId: string): Promise<boolean> {
  const row = await db
    .selectFrom('claims')
    .select('x_user_id')
    .where('campaign_id', '=', campaignId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countClaims(db: Db, campaignId: string): Promise<ClaimCounts> {
  const row = await db
    .selectFrom('claims')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('state', '=', 'open').as('open'),
      eb.fn.countAll<string>().filterWhere('state', '=', 'claimed').as('claimed'),
      eb.fn.countAll<string>().filterWhere('state', '=', 'forfeited').as('forfeited'),
      eb.fn.countAll<string>().filterWhere('replaces_x_user_id', 'is not', null).as('promoted'),
      eb.fn.countAll<string>().as('total'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const next = await db
    .selectFrom('claims')
    .select((eb) => eb.fn.min('deadline_at').as('next_deadline_at'))
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'open')
    .where((eb) => eb.not(winMessagePending(eb)))
    .executeTakeFirstOrThrow();
  return {
    open: Number(row.open),
    claimed: Number(row.claimed),
    forfeited: Number(row.forfeited),
    promoted: Number(row.promoted),
    total: Number(row.total),
    nextDeadlineAt: next.next_deadline_at ? new Date(next.next_deadline_at) : null,
  };
}

/**
 * Hands the prize code of a forfeited winner to the alternate who takes their prize, when the
 * prize has no free code left; null when the forfeited winner held none.
 */
export async function handOverPrizeCode(
  db: Db,
  input: { campaignId: string; prizeId: string; fromXUserId: string; toXUserId: string },
): Promise<string | null> {
  const row = await db
    .updateTable('prize_codes')
    .set({ assigned_x_user_id: input.toXUserId, assigned_at: new Date() })
    .where('campaign_id', '=', input.campaignId)
    .where('prize_id', '=', input.prizeId)
    .where('assigned_x_user_id', '=', input.fromXUserId)
    .returning('code')
    .executeTakeFirst();
  return row?.code ?? null;
}

/**
 * Win messages of promoted alternates still waiting in the queue. Read from the queue rather
 * than from what one settling queued, so a retried settling after a lost answer still says so.
 */
export async function countQueuedPromotionMessages(db: Db, campaignId: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries as d')
    .innerJoin('claims as c', (join) =>
      join.onRef('c.campaign_id', '=', 'd.campaign_id').onRef('c.x_user_id', '=', 'd.x_user_id'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('d.campaign_id', '=', campaignId)
    .where('d.kind', '=', 'win')
    .where('d.state', '=', 'queued')
    .where('c.replaces_x_user_id', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
