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
import {
  type EntryEventDraft,
  postEngagementEvent,
  userEngagementEvent,
} from '../../domain/entry-events';
import type { loadRunningCampaign } from '../campaign/campaign-loader';
import type { XAccess, XPost } from '../x-access';
import { createKeywordDmReader, type KeywordDmsX } from './poll-keyword-dms';
import { keywordDmsRoutedTo } from './keyword-dm-route';

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

const activityWarn = (message: string, meta: Record<string, unknown>) => {
  Context.current().log.warn(message, meta);
};

export function createEntryListsPoll({
  db,
  x,
  loadConfig,
  webhookUrl,
  keywordDms = false,
  warn = activityWarn,
}: EntryListsPollDeps) {
  const { readKeywordDms } = createKeywordDmReader(x, Date.now, (error) => {
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
    if (ruleTypes.has('repost')) {
      const page = await x.xListReposters({ accountId, postId, maxPages: 10 });
      drafts.push(...page.items.map((user) => userEngagementEvent('repost', user)));
    }
    if (ruleTypes.has('like')) {
      const page = await x.xListLikers({ accountId, postId, maxPages: 10 });
      drafts.push(...page.items.map((user) => userEngagementEvent('like', user)));
    }
    if (ruleTypes.has('follow')) {
      const page = await x.xListFollowers({ accountId, maxPages: 10 });
      drafts.push(...page.items.map((user) => userEngagementEvent('follow', user)));
    }
    if (ruleTypes.has('quote')) {
      const page = await x.xListQuotes({ accountId, postId, maxPages: 10 });
      for (const post of page.items) {
        drafts.push(...postEngagementEvent('quote', engagementPost(post), account.xUserId));
      }
    }
    if (ruleTypes.has('reply')) {
      const page = await x.xSearchRecent({
        accountId,
        query: `conversation_id:${postId} is:reply`,
        sinceId: cursors.repliesSinceId,
        maxPages: 10,
      });
      for (const post of page.items) {
        drafts.push(...postEngagementEvent('reply', engagementPost(post), account.xUserId));
      }
      if (page.newestId) cursors.repliesSinceId = page.newestId;
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
