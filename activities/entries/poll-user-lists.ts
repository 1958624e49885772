/**
 * X's user lists (reposters, likers, followers) by polling. X gives them newest first, with no
 * ids to read "since": a poll reads from the top down to the first page ending in a user stored
 * before (everything below it was read by an earlier poll), at most a few pages. When more
 * people arrived than that, the poll keeps where it stopped (a gap: X's pagination token), and
 * later polls read new people at the top first, then go on down the gaps with the pages left,
 * each down to users stored before or the list's end. So a list larger than one poll's pages is
 * read whole over successive polls, never the same top pages again and again.
 *
 * A spent window (or a 429) ends that list's read, keeping what was read, and the list is not
 * read again until its reset: the other lists are read meanwhile, nothing waits inside the poll.
 */
import type { UserListCursor } from '../../db/repositories/campaign-watch';
import type { PagedResult, XUser } from '../x-access';

/** Pages of one list a poll reads at most (reposters and likers: 75 reads per 15 minutes). */
export const MAX_LIST_PAGES = 10;

/**
 * While parts below are left unread, the top (people who came since) is read at least every
 * this many polls plus one: the polls between give all their pages to the older parts, so a
 * list larger than a window is read at nearly a window's worth of people, and someone new waits
 * a few polls at most (a poll a minute).
 */
export const MAX_POLLS_WITHOUT_TOP = 4;

/** X dates its resets in whole seconds: a read right at one may still be refused. */
const RESET_MARGIN_MS = 1_000;

/** The classified X error a failed X call carries (ApplicationFailure details): its reset. */
export function rateLimitedUntil(error: unknown): number | undefined {
  if (!(error instanceof Error) || !('type' in error) || error.type !== 'rate_limited') {
    return undefined;
  }
  const details = (error as { details?: unknown }).details;
  const xError = Array.isArray(details) ? (details[0] as { retryAt?: unknown }) : undefined;
  const retryAt = typeof xError?.retryAt === 'string' ? Date.parse(xError.retryAt) : NaN;
  return Number.isNaN(retryAt) ? undefined : retryAt;
}

export interface UserListSource {
  /** One page of the list from `paginationToken` (unset: the top), never waiting for a reset. */
  readPage: (paginationToken: string | undefined) => Promise<PagedResult<XUser>>;
  /** Of these users, those an earlier poll stored. */
  stored: (userIds: readonly string[]) => Promise<Set<string>>;
}

export interface UserListRead {
  users: XUser[];
  cursor: UserListCursor;
}

/** Reads one list from `cursor` on; `now` is X's clock, which dates its windows. */
export async function readUserList(
  source: UserListSource,
  cursor: UserListCursor,
  now: number,
  maxPages: number = MAX_LIST_PAGES,
): Promise<UserListRead> {
  if (cursor.resetAt !== undefined && now < Date.parse(cursor.resetAt) + RESET_MARGIN_MS) {
    return { users: [], cursor };
  }
  const users: XUser[] = [];
  let pagesLeft = maxPages;
  let resetAt: string | undefined;

  /**
   * Reads down from `position.token` (unset: the top) until a page ends in a stored user or the
   * list ends (token cleared), or the pages or the window run out (token left where it stopped).
   */
  async function readDown(position: { token: string | undefined }): Promise<void> {
    while (pagesLeft > 0 && resetAt === undefined) {
      pagesLeft -= 1;
      const page = await source.readPage(position.token);
      users.push(...page.items);
      if (page.rateLimit && page.rateLimit.remaining <= 0) resetAt = page.rateLimit.resetAt;
      const last = page.items.at(-1);
      const reachedStored = last !== undefined && (await source.stored([last.id])).has(last.id);
      position.token = reachedStored ? undefined : page.nextToken;
      if (!position.token) return;
    }
  }

  const top: { token: string | undefined } = { token: undefined };
  const gaps: { token: string | undefined }[] = (cursor.gaps ?? []).map((token) => ({ token }));
  const pagesBefore = () => maxPages - pagesLeft;
  let topRead = false;
  /** The top first when it is due, else after the gaps, with the pages they left. */
  const topFirst = gaps.length === 0 || (cursor.pollsWithoutTop ?? 0) >= MAX_POLLS_WITHOUT_TOP;
  const readTop = async () => {
    const before = pagesBefore();
    await readDown(top);
    topRead = pagesBefore() > before;
  };
  try {
    if (topFirst) await readTop();
    for (const gap of gaps) {
      if (pagesLeft <= 0 || resetAt !== undefined) break;
      await readDown(gap);
    }
    if (!topFirst && pagesLeft > 0 && resetAt === undefined) await readTop();
  } catch (error) {
    // A 429: what was read stands, and each part is read on from where it stopped.
    const retryAt = rateLimitedUntil(error);
    if (retryAt === undefined) throw error;
    resetAt = new Date(retryAt).toISOString();
    // The top read was under way (a page or more read) or not begun.
    topRead ||= top.token !== undefined;
  }
  const left = [top.token, ...gaps.map((gap) => gap.token)].filter(
    (token): token is string => token !== undefined,
  );
  return {
    users,
    cursor: {
      ...(left.length > 0 ? { gaps: left } : {}),
      ...(left.length > 0 && !topRead
        ? { pollsWithoutTop: (cursor.pollsWithoutTop ?? 0) + 1 }
        : {}),
      ...(resetAt !== undefined ? { resetAt } : {}),
    },
  };
}
