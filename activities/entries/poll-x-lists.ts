/**
 * Polling reconciliation: reads a campaign's engagements from X's lists (reposters, likers,
 * followers, quotes, replies from the last one seen) and, with no webhook, the keyword DMs sent
 * to the account (poll-keyword-dms.ts) into entry_events. Shared by the legacy `pollEntries`
 * activity (cursors passed in and out by the workflow; never DMs) and `watchEntries` (cursors
 * kept in campaign_watch).
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import { type Db, inTransaction } from '../../db/client';
import { lockCampaignTakingEvents } from '../../db/repositories/campaigns';
import type { WatchCursors } from '../../db/repositories/campaign-watch';
import { insertEntryEvents, type NewEntryEvent } from '../../db/repositories/entries';
import { findStoredEventKeys } from '../../db/repositories/entry-event-keys';
import {
  type EntryEventDraft,
  postEngagementEvent,
  type UserEngagementSource,
  userEngagementEvent,
  userEngagementKey,
} from '../../domain/entry-events';
import type { loadRunningCampaign } from '../campaign/campaign-loader';
import type { XAccess, XPost } from '../x-access';
import { createKeywordDmReader, type KeywordDmsX } from './poll-keyword-dms';
import { keywordDmsRoutedTo } from './keyword-dm-route';
import { readUserList, type UserListSource } from './poll-user-lists';

type UserListName = keyof NonNullable<WatchCursors['lists']>;

export type EntryListsX = Pick<
  XAccess,
  'xListReposters' | 'xListLikers' | 'xListFollowers' | 'xListQuotes' | 'xSearchRecent'
> &
  KeywordDmsX;

export interface EntryListsPollDeps {
  db: Db;
  x: EntryListsX;
  loadConfig: (campaignId: string) => ReturnType<typeof loadRunningCampaign>;
  /**
   * Where X delivers this deployment's events. Unset, nothing brings keyword DMs but the poll,
   * so it reads the account's DM events too; set, the webhook delivers them (and X replays a
   * disarmed gap), and the poll leaves X's scarce DM reads (15 per 15 minutes) alone.
   */
  webhookUrl?: string;
  /**
   * Whether this poll reads keyword DMs at all (campaignV2's `watchEntries`); the legacy
   * workflow's `pollEntries` never does, as before DMs were polled.
   */
  keywordDms?: boolean;
  /** X's clock, which dates its rate windows (default: the wall clock). */
  now?: () => number;
  /** Where a failed DM read is reported (default: the activity's logger). */
  warn?: (message: string, meta: Record<string, unknown>) => void;
}

export interface EntryListsPoll {
  /** Events stored by this poll (engagements seen before are not stored twice). */
  newEvents: number;
  cursors: WatchCursors;
}

/** X's post as the shared entry mapping reads it (domain/entry-events.ts). */
function engagementPost(post: XPost) {
  return {
    id: post.id,
    authorId: post.authorId,
    username: post.author?.username,
    text: post.text,
    createdAt: post.createdAt,
  };
}

/** The read's answer; undefined when X's window for it is spent (a 429 or no requests left). */
async function unlessRateLimited<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Error && 'type' in error && error.type === 'rate_limited')
      return undefined;
    throw error;
  }
}

const activityWarn = (message: string, meta: Record<string, unknown>) => {
  Context.current().log.warn(message, meta);
};

export function createEntryListsPoll({
  db,
  x,
  loadConfig,
  webhookUrl,
  keywordDms = false,
  now = Date.now,
  warn = activityWarn,
}: EntryListsPollDeps) {
  const { readKeywordDms } = createKeywordDmReader(x, now, (error) => {
    warn('Reading older keyword DMs from X failed; reading on from there at the next poll', {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  /** Reads X's lists the campaign's rules need from `cursors` on and stores what is new. */
  async function pollEntryLists(campaignId: string, from: WatchCursors): Promise<EntryListsPoll> {
    const { config, account } = await loadConfig(campaignId);
    const postId = config.post.tweetId;
    const accountId = account.id;
    const ruleTypes = new Set(config.entryRules.all.map((r) => r.type));
    const base = { campaignId, receivedVia: 'poll' as const };
    const cursors: WatchCursors = { ...from };

    const drafts: EntryEventDraft[] = [];
    const lists = { ...cursors.lists };
    const listReads: [UserListName, UserEngagementSource, UserListSource['readPage']][] = [];
    const onePage = { accountId, maxPages: 1, waitInline: false } as const;
    const startingAt = (token: string | undefined) => (token ? { paginationToken: token } : {});
    if (ruleTypes.has('repost')) {
      listReads.push([
        'reposters',
        'repost',
        (token) => x.xListReposters({ ...onePage, postId, ...startingAt(token) }),
      ]);
    }
    if (ruleTypes.has('like')) {
      listReads.push([
        'likers',
        'like',
        (token) => x.xListLikers({ ...onePage, postId, ...startingAt(token) }),
      ]);
    }
    if (ruleTypes.has('follow')) {
      listReads.push([
        'followers',
        'follow',
        (token) => x.xListFollowers({ ...onePage, ...startingAt(token) }),
      ]);
    }
    for (const [list, source, readPage] of listReads) {
      const stored = async (userIds: readonly string[]) => {
        const keys = await findStoredEventKeys(
          db,
          campaignId,
          source,
          userIds.map((id) => userEngagementKey(source, id)),
        );
        return new Set(userIds.filter((id) => keys.has(userEngagementKey(source, id))));
      };
      const read = await readUserList({ readPage, stored }, lists[list] ?? {}, now());
      drafts.push(...read.users.map((user) => userEngagementEvent(source, user)));
      if (read.cursor.gaps || read.cursor.resetAt) lists[list] = read.cursor;
      else delete lists[list];
    }
    if (Object.keys(lists).length > 0) cursors.lists = lists;
    else delete cursors.lists;
    // Quotes and replies: a spent window skips the list this poll (its reads start again from
    // the same place), rather than holding the other lists' entries back until the reset.
    if (ruleTypes.has('quote')) {
      const quotes = await unlessRateLimited(() =>
        x.xListQuotes({ accountId, postId, maxPages: 10, waitInline: false }),
      );
      for (const post of quotes?.items ?? []) {
        drafts.push(...postEngagementEvent('quote', engagementPost(post), account.xUserId));
      }
    }
    if (ruleTypes.has('reply')) {
      const replies = await unlessRateLimited(() =>
        x.xSearchRecent({
          accountId,
          query: `conversation_id:${postId} is:reply`,
          sinceId: cursors.repliesSinceId,
          maxPages: 10,
          waitInline: false,
        }),
      );
      for (const post of replies?.items ?? []) {
        drafts.push(...postEngagementEvent('reply', engagementPost(post), account.xUserId));
      }
      if (replies?.newestId) cursors.repliesSinceId = replies.newestId;
    }
    const keywords = config.entryRules.all.flatMap((rule) =>
      rule.type === 'dm_keyword' ? [rule.keyword] : [],
    );
    // A failed DM read (its window is the tightest) is logged; the lists read above are stored
    // and their cursors advance, the DM cursors stay for the next poll.
    if (keywordDms && keywords.length > 0 && webhookUrl === undefined) {
      try {
        const dms = await readKeywordDms({
          accountId,
          senderXUserId: account.xUserId,
          keywords,
          period: config.schedule,
          seenId: cursors.dmNewestId,
          ...(cursors.dmBackfill ? { backfill: cursors.dmBackfill } : {}),
        });
        // Each DM enters one campaign of the account, as the webhook routes it.
        drafts.push(...(await keywordDmsRoutedTo(db, campaignId, account.xUserId, dms.drafts)));
        if (dms.newestId) cursors.dmNewestId = dms.newestId;
        if (dms.backfill) cursors.dmBackfill = dms.backfill;
        else delete cursors.dmBackfill;
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        warn('Reading keyword DMs from X failed; reading them again at the next poll', {
          campaignId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const events: NewEntryEvent[] = drafts.map((draft) => ({ ...draft, ...base }));
    // Under the phase lock the webhook takes: once the workflow has recorded that the campaign
    // takes no more events (it decides the last of them next), a poll stores none either.
    const newEvents = events.length
      ? await inTransaction(db, async (trx) =>
          (await lockCampaignTakingEvents(trx, campaignId)) ? insertEntryEvents(trx, events) : 0,
        )
      : 0;
    return { newEvents, cursors };
  }

  return { pollEntryLists };
}
