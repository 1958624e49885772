/**
 * Keyword DMs by polling: with no webhook, a DM holding a campaign's keyword reaches Kuji only
 * through the sender's DM events (GET /2/dm_events, every conversation, newest first). Each DM
 * is keyed by X's DM event id, as the webhook keys it, so `entry_events` stores it once however
 * it arrived. Pages are read until the newest DM an earlier poll saw, or one older than the
 * entry period (X keeps 30 days of DMs; those before the start were meant for someone else).
 *
 * One poll reads a few pages at most. When more DMs arrived than that, the poll keeps where it
 * stopped (a backfill: X's pagination token, down to the newest DM seen before), and the next
 * polls read new DMs from the top first, then go on down the backfill with the pages left.
 */
import { isWithinEntryPeriod } from '../../domain/eligibility';
import type { EntryEventDraft } from '../../domain/entry-events';
import { xDateOrNull } from '../../domain/entry-events';
import { containsPhrase } from '../../domain/text';
import type { XDmEvent } from '../../x/api';
import type { XAccess } from '../x-access';

export type KeywordDmsX = Pick<XAccess, 'xListAccountDmEvents'>;

/** Pages of DM events one poll reads at most (X allows 15 reads per 15 minutes). */
export const MAX_DM_PAGES = 5;

/** X dates its resets in whole seconds: a read right at one may still be refused. */
const RESET_MARGIN_MS = 1_000;

/** DMs an earlier poll left unread: from X's pagination token down to (not including) `untilId`. */
export interface DmBackfill {
  paginationToken: string;
  /** The newest DM seen before the gap opened; unset: down to the entry period's start. */
  untilId?: string;
}

/** X's ids are decimal snowflakes: longer is newer, then by digits. */
function idNewer(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

export interface KeywordDmRead {
  drafts: EntryEventDraft[];
  /** The newest DM event id seen, for the next poll to stop at. */
  newestId: string | undefined;
  /** Older DMs still to read, from the top down (unset: none). */
  backfill: DmBackfill | undefined;
}

export interface KeywordDmQuery {
  accountId: string;
  /** The sender's X user id: its own DMs are no entries. */
  senderXUserId: string | null;
  keywords: readonly string[];
  /** The entry period, on X's clock: DMs dated outside it are no entries. */
  period: { startAt: string; endAt: string };
  /** The newest DM event id an earlier poll saw. */
  seenId: string | undefined;
  /** Where an earlier poll stopped short of `seenId`. */
  backfill?: DmBackfill;
}

/** The classified X error a failed X call carries (ApplicationFailure details). */
function rateLimitedUntil(error: unknown): number | undefined {
  if (!(error instanceof Error) || !('type' in error) || error.type !== 'rate_limited') {
    return undefined;
  }
  const details = (error as { details?: unknown }).details;
  const xError = Array.isArray(details) ? (details[0] as { retryAt?: unknown }) : undefined;
  const retryAt = typeof xError?.retryAt === 'string' ? Date.parse(xError.retryAt) : NaN;
  return Number.isNaN(retryAt) ? undefined : retryAt;
}

/**
 * `now` is X's clock (the wall clock), which dates X's rate windows. A spent window (or a 429)
 * is waited out by skipping DM reads until its reset, never inside the watch (X's client would
 * wait up to a window inline, holding back what the other lists found), and never by asking X
 * again first.
 */
export function createKeywordDmReader(
  x: KeywordDmsX,
  now: () => number = Date.now,
  /** A failed backfill read (the DMs at the top are kept all the same). */
  onBackfillError: (error: unknown) => void = () => undefined,
) {
  const windowResetAt = new Map<string, number>();

  async function readKeywordDms(input: KeywordDmQuery): Promise<KeywordDmRead> {
    const drafts: EntryEventDraft[] = [];
    const unchanged = { drafts, newestId: input.seenId, backfill: input.backfill };
    const resetAt = windowResetAt.get(input.accountId);
    if (resetAt !== undefined && now() < resetAt + RESET_MARGIN_MS) return unchanged;
    windowResetAt.delete(input.accountId);
    const notBefore = Date.parse(input.period.startAt);
    let pagesLeft = MAX_DM_PAGES;
    let windowSpent = false;

    /** Reads down from `token` (undefined: the newest) to `untilId`; the token left, if any. */
    async function readDown(
      token: string | undefined,
      untilId: string | undefined,
    ): Promise<{ token: string | undefined; newest: string | undefined }> {
      let newest: string | undefined;
      let paginationToken = token;
      while (pagesLeft > 0 && !windowSpent) {
        pagesLeft -= 1;
        const page = await x.xListAccountDmEvents({
          accountId: input.accountId,
          maxPages: 1,
          waitInline: false,
          ...(paginationToken ? { paginationToken } : {}),
        });
        let reachedEnd = false;
        for (const event of page.items) {
          const at = xDateOrNull(event.createdAt);
          if ((untilId && !idNewer(event.id, untilId)) || (at && at.getTime() < notBefore)) {
            reachedEnd = true;
            continue;
          }
          if (!newest || idNewer(event.id, newest)) newest = event.id;
          const draft = keywordDmDraft(event, input, at);
          if (draft) drafts.push(draft);
        }
        paginationToken = page.nextToken;
        const window = page.rateLimit;
        if (window && window.remaining <= 0) {
          windowResetAt.set(input.accountId, Date.parse(window.resetAt));
          windowSpent = true;
        }
        if (reachedEnd || !paginationToken) return { token: undefined, newest };
      }
      return { token: paginationToken, newest };
    }

    try {
      // New DMs first, down to the newest seen before.
      const top = await readDown(undefined, input.seenId);
      const newestId =
        top.newest && (!input.seenId || idNewer(top.newest, input.seenId))
          ? top.newest
          : input.seenId;
      // The top read stopped short of the DMs seen before: the gap continues from its token down
      // to where an older gap (if any) ends, which covers both (DMs read twice are stored once).
      let backfill: DmBackfill | undefined = input.backfill;
      if (top.token) {
        const untilId = input.backfill ? input.backfill.untilId : input.seenId;
        backfill = { paginationToken: top.token, ...(untilId ? { untilId } : {}) };
      } else if (backfill) {
        try {
          const rest = await readDown(backfill.paginationToken, backfill.untilId);
          backfill = rest.token ? { ...backfill, paginationToken: rest.token } : undefined;
        } catch (error) {
          // The new DMs read above stand; the backfill is read on at a later poll (a 429: after
          // its reset). A backfill that keeps failing never holds back the DMs at the top.
          const retryAt = rateLimitedUntil(error);
          if (retryAt !== undefined) windowResetAt.set(input.accountId, retryAt);
          else onBackfillError(error);
        }
      }
      return { drafts, newestId, backfill };
    } catch (error) {
      // A 429: the window's reset is known; what was read is kept, the cursors stay.
      const retryAt = rateLimitedUntil(error);
      if (retryAt === undefined) throw error;
      windowResetAt.set(input.accountId, retryAt);
      return unchanged;
    }
  }

  return { readKeywordDms };
}

function keywordDmDraft(
  event: XDmEvent,
  query: Pick<KeywordDmQuery, 'senderXUserId' | 'keywords' | 'period'>,
  occurredAt: Date | null,
): EntryEventDraft | undefined {
  if (event.eventType !== 'MessageCreate' || !event.senderId || !event.text) return undefined;
  if (event.senderId === query.senderXUserId) return undefined;
  // A group conversation's message was not sent to the account alone.
  if (event.participantIds && event.participantIds.length > 2) return undefined;
  if (!query.keywords.some((keyword) => containsPhrase(event.text ?? '', keyword))) {
    return undefined;
  }
  // Sent after the entry period ended (the webhook routes such a DM to a campaign it fits).
  if (!isWithinEntryPeriod(query.period, occurredAt)) return undefined;
  return {
    source: 'dm_keyword',
    xEventId: event.id,
    xUserId: event.senderId,
    username: null,
    text: event.text,
    occurredAt,
  };
}
