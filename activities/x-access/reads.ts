/** Reading X as the account: who it is, users, and the paged lists entries come from. */
import type { XError } from '../../domain/x-errors';
import {
  getMe,
  getUser,
  lookupUsers,
  type XDmEvent,
  type XPost,
  type XRateLimit,
  type XUser,
} from '../../x/api';
import type { XCore, XFail } from './core';
import type { AccountInput, PagedInput, PagedResult } from './types';

export function createXReads(core: XCore) {
  const { clients, usage, logPartialErrors, readPaged, pageRequest, senderIdOrFail } = core;
  const fail: XFail = core.fail;

  return {
    /** The sender account's own X profile. */
    async xMe(input: AccountInput): Promise<XUser> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        const { user } = await getMe(client);
        await usage.countRead(input.accountId, 'user_read', [user]);
        return user;
      } catch (error) {
        fail(error, 'xMe', input.accountId);
      }
    },

    /** One user by id or username; a suspended or missing user fails with its classified code. */
    async xLookupUser(
      input: AccountInput & ({ userId: string } | { username: string }),
    ): Promise<XUser> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        const by = 'userId' in input ? { id: input.userId } : { username: input.username };
        const { user } = await getUser(client, by);
        await usage.countRead(input.accountId, 'user_read', [user]);
        return user;
      } catch (error) {
        fail(error, 'xLookupUser', input.accountId);
      }
    },

    /** Up to 100 users; the ones X cannot return come back classified in `errors`. */
    async xLookupUsers(
      input: AccountInput & ({ ids: string[] } | { usernames: string[] }),
    ): Promise<{ users: XUser[]; errors: XError[]; rateLimit?: XRateLimit }> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        const by = 'ids' in input ? { ids: input.ids } : { usernames: input.usernames };
        const page = await lookupUsers(client, by);
        await usage.countRead(input.accountId, 'user_read', page.items);
        logPartialErrors('xLookupUsers', input.accountId, page);
        return { users: page.items, errors: page.partialErrors, rateLimit: page.rateLimit };
      } catch (error) {
        fail(error, 'xLookupUsers', input.accountId);
      }
    },

    /** DM events of the one-to-one conversation with a participant, newest first. */
    async xListDmEvents(
      input: PagedInput & { participantId: string },
    ): Promise<PagedResult<XDmEvent>> {
      return readPaged(
        'xListDmEvents',
        input.accountId,
        pageRequest('dm_events', input.participantId, input),
        input,
      );
    },

    /** The sender account's DM events across all its conversations, newest first. */
    async xListAccountDmEvents(input: PagedInput): Promise<PagedResult<XDmEvent>> {
      return readPaged(
        'xListAccountDmEvents',
        input.accountId,
        pageRequest('account_dm_events', input.accountId, input),
        input,
      );
    },

    async xListReposters(input: PagedInput & { postId: string }): Promise<PagedResult<XUser>> {
      return readPaged(
        'xListReposters',
        input.accountId,
        pageRequest('reposters', input.postId, input),
        input,
      );
    },

    async xListQuotes(input: PagedInput & { postId: string }): Promise<PagedResult<XPost>> {
      return readPaged(
        'xListQuotes',
        input.accountId,
        pageRequest('quotes', input.postId, input),
        input,
      );
    },

    async xListLikers(input: PagedInput & { postId: string }): Promise<PagedResult<XUser>> {
      return readPaged(
        'xListLikers',
        input.accountId,
        pageRequest('likers', input.postId, input),
        input,
      );
    },

    /** Followers of a user (default: the sender account). */
    async xListFollowers(input: PagedInput & { userId?: string }): Promise<PagedResult<XUser>> {
      const userId = input.userId ?? (await senderIdOrFail(input.accountId, 'xListFollowers'));
      return readPaged(
        'xListFollowers',
        input.accountId,
        pageRequest('followers', userId, input),
        input,
      );
    },

    /** Accounts a user follows (default: the sender account). */
    async xListFollowing(input: PagedInput & { userId?: string }): Promise<PagedResult<XUser>> {
      const userId = input.userId ?? (await senderIdOrFail(input.accountId, 'xListFollowing'));
      return readPaged(
        'xListFollowing',
        input.accountId,
        pageRequest('following', userId, input),
        input,
      );
    },

    /**
     * Does `followerId` follow `targetId` (default: the sender)? Reads the follower's following
     * list until found; `follows: null` with a `nextToken` when the pages ran out first.
     */
    async xCheckFollows(
      input: PagedInput & { followerId: string; targetId?: string },
    ): Promise<{ follows: boolean | null; nextToken?: string; pagesRead: number }> {
      const targetId = input.targetId ?? (await senderIdOrFail(input.accountId, 'xCheckFollows'));
      const result = await readPaged<XUser>(
        'xCheckFollows',
        input.accountId,
        pageRequest('following', input.followerId, input),
        { maxPages: input.maxPages ?? 15 },
        (user) => user.id === targetId,
      );
      const follows = result.items.some((user) => user.id === targetId);
      if (follows) return { follows: true, pagesRead: result.pagesRead };
      return result.complete
        ? { follows: false, pagesRead: result.pagesRead }
        : { follows: null, nextToken: result.nextToken, pagesRead: result.pagesRead };
    },

    /** Posts mentioning the sender account, newest first; pass `sinceId` to poll incrementally. */
    async xListMentions(input: PagedInput & { sinceId?: string }): Promise<PagedResult<XPost>> {
      const userId = await senderIdOrFail(input.accountId, 'xListMentions');
      return readPaged(
        'xListMentions',
        input.accountId,
        pageRequest('mentions', userId, input, input.sinceId),
        input,
      );
    },

    /** Recent search (last 7 days; X stopped returning reposts here in 2026). */
    async xSearchRecent(
      input: PagedInput & { query: string; sinceId?: string },
    ): Promise<PagedResult<XPost>> {
      return readPaged(
        'xSearchRecent',
        input.accountId,
        pageRequest('search', input.query, input, input.sinceId),
        input,
      );
    },
  };
}
