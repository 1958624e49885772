/**
 * Keyword DMs by polling: with no webhook, a DM holding a campaign's keyword reaches Kuji only
 * through the sender's DM events (GET /2/dm_events, every conversation, newest first). Each DM
 * is keyed by X's DM event id, as the webhook keys it, so `entry_events` stores it once however
 * it arrived. Pages are read until the newest DM an earlier poll saw, or one older than the
 * entry period (X keeps 30 days of DMs; those before the start were meant for someone else).
 */
import type { EntryEventDraft } from '../../domain/entry-events';
import { xDateOrNull } from '../../domain/entry-events';
import { containsPhrase } from '../../domain/text';
import type { XDmEvent } from '../../x/api';
import type { XAccess } from '../x-access';

export type KeywordDmsX = Pick<XAccess, 'xListAccountDmEvents'>;

/** Pages of DM events one poll reads at most (X allows 15 reads per 15 minutes). */
const MAX_DM_PAGES = 5;

/** X's ids are decimal snowflakes: longer is newer, then by digits. */
function idNewer(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

export interface KeywordDmRead {
  drafts: EntryEventDraft[];
  /** The newest DM event id seen, for the next poll to stop at. */
  newestId: string | undefined;
}

export interface KeywordDmQuery {
  accountId: string;
  /** The sender's X user id: its own DMs are no entries. */
  senderXUserId: string | null;
  keywords: readonly string[];
  /** The entry period's start on X's clock. */
  notBefore: Date;
  /** The newest DM event id an earlier poll saw. */
  seenId: string | undefined;
}

/**
 * `now` is X's clock (the wall clock), which dates X's rate windows. A spent window is waited
 * out by skipping DM reads until its reset, never inside the watch (X's client would wait up to
 * a window inline, holding back what the other lists found), and never by asking X again first.
 */
export function createKeywordDmReader(x: KeywordDmsX, now: () => number = Date.now) {
  const windowResetAt = new Map<string, number>();

  async function readKeywordDms(input: KeywordDmQuery): Promise<KeywordDmRead> {
    const drafts: EntryEventDraft[] = [];
    let newestId = input.seenId;
    const resetAt = windowResetAt.get(input.accountId);
    if (resetAt !== undefined && now() < resetAt) return { drafts, newestId };
    windowResetAt.delete(input.accountId);

    let paginationToken: string | undefined;
    let reachedSeen = false;
    for (let pages = 0; pages < MAX_DM_PAGES; pages += 1) {
      const page = await x.xListAccountDmEvents({
        accountId: input.accountId,
        maxPages: 1,
        ...(paginationToken ? { paginationToken } : {}),
      });
      for (const event of page.items) {
        const at = xDateOrNull(event.createdAt);
        if ((input.seenId && !idNewer(event.id, input.seenId)) || (at && at < input.notBefore)) {
          reachedSeen = true;
          continue;
        }
        if (!newestId || idNewer(event.id, newestId)) newestId = event.id;
        const draft = keywordDmDraft(event, input.senderXUserId, input.keywords, at);
        if (draft) drafts.push(draft);
      }
      paginationToken = page.nextToken;
      const window = page.rateLimit;
      if (window && window.remaining <= 0) {
        windowResetAt.set(input.accountId, Date.parse(window.resetAt));
        break;
      }
      if (reachedSeen || !paginationToken) break;
    }
    // Older DMs left unread (a burst, or the window spent): the cursor stays where it was, so the
    // next poll reads back to it again (entry_events' key keeps each DM once).
    if (paginationToken && !reachedSeen) return { drafts, newestId: input.seenId };
    return { drafts, newestId };
  }

  return { readKeywordDms };
}
function keywordDmDraft(
  event: XDmEvent,
  senderXUserId: string | null,
  keywords: readonly string[],
  occurredAt: Date | null,
): EntryEventDraft | undefined {
  if (event.eventType !== 'MessageCreate' || !event.senderId || !event.text) return undefined;
  if (event.senderId === senderXUserId) return undefined;
  // A group conversation's message was not sent to the account alone.
  if (event.participantIds && event.participantIds.length > 2) return undefined;
  if (!keywords.some((keyword) => containsPhrase(event.text ?? '', keyword))) return undefined;
  return {
    source: 'dm_keyword',
    xEventId: event.id,
    xUserId: event.senderId,
    username: null,
    text: event.text,
    occurredAt,
  };
}
