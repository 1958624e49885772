/**
 * What Kuji knows about a participant, and the facts it fetches while a campaign runs so that
 * every configured rule and exclusion is judged on something real: profiles (protected,
 * suspended) from the users lookup, follows from the participant's following list, and wins in
 * earlier campaigns from the database. Results are kept in the entry's facts, so each is fetched
 * once per participant and campaign, and again only when the draw refreshes it.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { type EntryEvent, findWinsInCampaigns } from '../db/repositories/entries';
import type { CampaignConfig } from '../domain/campaign-config';
import type { EntrySource } from '../domain/consent';
import { type ParticipantRecord, refusedDuplicateEntries } from '../domain/eligibility';
import { xErrorFromDetails } from '../domain/x-errors';
import type { XActivities, XRateLimit } from './x-activities';

export interface StoredFacts extends ParticipantRecord {
  sources: EntrySource[];
  /** The participant's newest reply/quote/mention of the campaign: where a reply result goes. */
  summonedByPostId?: string;
  /** When the users lookup last answered for this participant. */
  profileCheckedAt?: string;
  /** When the participant's follows were last read from X. */
  followsCheckedAt?: string;
  /** Set once the draw has re-read this participant's follows and repost. */
  refreshedForDrawAt?: string;
  /** Valid entries beyond the per-person limit, refused as duplicates. */
  refusedEntries?: number;
}

export const emptyFacts = (): StoredFacts => ({
  reposted: false,
  liked: false,
  replyTexts: [],
  quoteTexts: [],
  dmTexts: [],
  followsSender: false,
  followedUserIds: [],
  profile: { protected: false, suspended: false },
  acceptedEntryCount: 0,
  wonCampaignIds: [],
  sources: [],
});

export function mergeEvent(facts: StoredFacts, event: EntryEvent): StoredFacts {
  const next: StoredFacts = { ...facts, sources: [...new Set([...facts.sources, event.source])] };
  const text = event.text ?? '';
  switch (event.source) {
    case 'repost':
      next.reposted = true;
      break;
    case 'like':
      next.liked = true;
      break;
    case 'follow':
      next.followsSender = true;
      break;
    case 'reply':
    case 'mention':
      next.replyTexts = [...facts.replyTexts, text];
      next.summonedByPostId = event.xEventId;
      break;
    case 'quote':
      next.quoteTexts = [...facts.quoteTexts, text];
      next.summonedByPostId = event.xEventId;
      break;
    case 'dm_keyword':
      next.dmTexts = [...facts.dmTexts, text];
      break;
  }
  return next;
}

/** One participant whose facts are being completed. */
export interface FactsSubject {
  xUserId: string;
  facts: StoredFacts;
}

/** X's users lookup takes at most 100 ids a call. */
const USERS_LOOKUP_BATCH = 100;
/** Pages of a participant's following list read before giving up on finding an account. */
const FOLLOWING_PAGES = 15;

/** Retried by Temporal at the window's reset; the batch's claim rolls back meanwhile. */
function lookupBudgetSpent(window: XRateLimit, at: Date): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'rate_limited',
    message: `users lookup window spent until ${window.resetAt}`,
    nextRetryDelay: Math.max(1_000, Date.parse(window.resetAt) - at.getTime() + 1_000),
  });
}

function unreadableParticipant(error: unknown): boolean {
  if (!(error instanceof ApplicationFailure)) return false;
  return xErrorFromDetails(error.details)?.category === 'recipient_unreachable';
}

export interface FactFetcherDeps {
  db: Db;
  x: Pick<XActivities, 'xLookupUsers' | 'xCheckFollows'>;
  now: () => Date;
}

export function createFactFetcher({ db, x, now }: FactFetcherDeps) {
  /** Protected and suspended flags, 100 users a call, for those not looked up yet. */
  async function fetchProfiles(
    accountId: string,
    subjects: FactsSubject[],
    refresh: boolean,
  ): Promise<void> {
    const pending = subjects.filter((s) => refresh || !s.facts.profileCheckedAt);
    let window: XRateLimit | undefined;
    for (let start = 0; start < pending.length; start += USERS_LOOKUP_BATCH) {
      // X's window for the lookup is spent: come back at its reset rather than be refused.
      if (window && window.remaining <= 0 && Date.parse(window.resetAt) > now().getTime()) {
        throw lookupBudgetSpent(window, now());
      }
      const batch = pending.slice(start, start + USERS_LOOKUP_BATCH);
      const answer = await x.xLookupUsers({ accountId, ids: batch.map((s) => s.xUserId) });
      window = answer.rateLimit;
      const found = new Map(answer.users.map((user) => [user.id, user]));
      const suspended = new Set(
        answer.errors
          .filter((error) => error.code === 'recipient_suspended' && error.resourceId)
          .map((error) => error.resourceId),
      );
      const checkedAt = now().toISOString();
      for (const subject of batch) {
        const user = found.get(subject.xUserId);
        subject.facts = {
          ...subject.facts,
          profile: {
            protected: user?.protected ?? subject.facts.profile.protected,
            suspended: suspended.has(subject.xUserId),
          },
          profileCheckedAt: checkedAt,
        };
      }
    }
  }

  /**
   * Whether each participant follows the sender and the rule's other accounts, read from the
   * participant's following list (stopping at the page that holds the account). A follow event
   * already seen stands until the draw refreshes it.
   */
  async function fetchFollows(
    accountId: string,
    senderUserId: string | undefined,
    alsoUserIds: readonly string[],
    subjects: FactsSubject[],
    refresh: boolean,
  ): Promise<void> {
    for (const subject of subjects) {
      if (!refresh && subject.facts.followsCheckedAt) continue;
      // Without a stored id, xCheckFollows asks X who the sender is.
      const follows = async (targetId: string | undefined) => {
        try {
          const answer = await x.xCheckFollows({
            accountId,
            followerId: subject.xUserId,
            targetId,
            maxPages: FOLLOWING_PAGES,
          });
          return answer.follows === true;
        } catch (error) {
          // A protected, suspended or vanished participant's follows cannot be read: unproven.
          if (unreadableParticipant(error)) return false;
          throw error;
        }
      };
      const followsSender =
        !refresh && subject.facts.followsSender ? true : await follows(senderUserId);
      const followedUserIds: string[] = [];
      for (const id of alsoUserIds) if (await follows(id)) followedUserIds.push(id);
      subject.facts = {
        ...subject.facts,
        followsSender,
        followedUserIds,
        followsCheckedAt: now().toISOString(),
      };
    }
  }

  return {
    /**
     * Completes the facts the campaign's rules and exclusions need. Participants with nothing in
     * the entry period are left alone: they are decided as outside it.
     */
    async completeFacts(
      config: CampaignConfig,
      account: { id: string; xUserId: string | null },
      subjects: FactsSubject[],
      options: { refreshFollows?: boolean } = {},
    ): Promise<void> {
      const inPeriod = subjects.filter((s) => s.facts.sources.length > 0);
      if (inPeriod.length === 0) return;
      const { exclusions } = config;
      if (exclusions.excludeProtected || exclusions.excludeSuspended) {
        await fetchProfiles(account.id, inPeriod, false);
      }
      const followRule = config.entryRules.all.find((rule) => rule.type === 'follow');
      if (followRule) {
        // Excluded anyway, and X would not show their follows: no call spent on them.
        const excluded = (s: FactsSubject) =>
          (exclusions.excludeProtected && s.facts.profile.protected) ||
          (exclusions.excludeSuspended && s.facts.profile.suspended);
        await fetchFollows(
          account.id,
          account.xUserId ?? undefined,
          followRule.alsoUserIds ?? [],
          inPeriod.filter((s) => !excluded(s)),
          options.refreshFollows ?? false,
        );
      }
      const wins = await findWinsInCampaigns(
        db,
        exclusions.excludePreviousWinnersOf,
        inPeriod.map((s) => s.xUserId),
      );
      for (const subject of inPeriod) {
        subject.facts = {
          ...subject.facts,
          wonCampaignIds: wins.get(subject.xUserId) ?? [],
          refusedEntries: refusedDuplicateEntries(config, subject.facts),
        };
      }
    },
  };
}
