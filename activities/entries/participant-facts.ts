/**
 * What Kuji knows about a participant, and the facts it fetches while a campaign runs so that
 * every configured rule and exclusion is judged on something real: profiles (protected,
 * suspended) from the users lookup, follows from the participant's following list, and wins in
 * earlier campaigns from the database. What X answers is stored per participant as it arrives
 * (participant_facts), outside any transaction, so each fact is fetched once per participant and
 * campaign (again only when the draw refreshes it) and a batch cut short loses nothing it read.
 * When X's rate window is spent, fetching stops: the participants left wait for the next batch.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import { type EntryEvent, findWinsInCampaigns } from '../../db/repositories/entries';
import {
  type ParticipantXFacts,
  saveParticipantFollows,
  saveParticipantProfiles,
} from '../../db/repositories/participant-facts';
import type { CampaignConfig } from '../../domain/campaign-config';
import type { EntrySource } from '../../domain/consent';
import { type ParticipantRecord, refusedDuplicateEntries } from '../../domain/eligibility';
import { xErrorFromDetails } from '../../domain/x-errors';
import type { XAccess, XRateLimit } from '../x-access';

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

/** What a batch of fetching left undone because X's rate window was spent, and until when. */
export interface FetchProgress {
  /** X's reset instant when fetching stopped on a spent window; absent when nothing was left. */
  spentUntil?: string;
}

/** X's users lookup takes at most 100 ids a call. */
const USERS_LOOKUP_BATCH = 100;
/** Pages of a participant's following list read before giving up on finding an account. */
const FOLLOWING_PAGES = 15;
/** When X refused on a limit without saying until when: its usual window. */
const DEFAULT_WINDOW_MS = 15 * 60_000;

/**
 * Fetching makes one X call after another (some waiting out a window): a heartbeat after each
 * participant tells the workflow's heartbeat timeout a slow batch from a stuck one. Outside an
 * activity (a test, a script) there is no Temporal to tell. Counts only, never an X id.
 */
export function heartbeat(progress: {
  step: 'profiles' | 'follows' | 'draw_refresh';
  done: number;
  of: number;
}): void {
  asyncLocalStorage.getStore()?.heartbeat(progress);
}

function unreadableParticipant(error: unknown): boolean {
  if (!(error instanceof ApplicationFailure)) return false;
  return xErrorFromDetails(error.details)?.category === 'recipient_unreachable';
}

/** The instant X's refusal on a rate limit or cap lifts; undefined for any other failure. */
function limitedUntil(error: unknown, at: Date): string | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const xError = xErrorFromDetails(error.details);
  if (xError?.category !== 'rate_limited' && xError?.category !== 'quota_exhausted') {
    return undefined;
  }
  return xError.retryAt ?? new Date(at.getTime() + DEFAULT_WINDOW_MS).toISOString();
}

/** A participant's facts with what X said about them as stored (profile, follows). */
export function withStoredXFacts(
  facts: StoredFacts,
  stored: ParticipantXFacts | undefined,
): StoredFacts {
  let next = facts;
  if (stored?.profile && stored.profileCheckedAt) {
    next = {
      ...next,
      profile: stored.profile,
      profileCheckedAt: stored.profileCheckedAt.toISOString(),
    };
  }
  if (stored?.follows && stored.followsCheckedAt) {
    next = {
      ...next,
      // A follow event seen since the list was read stands until the draw reads it again.
      followsSender: next.followsSender || stored.follows.followsSender,
      followedUserIds: stored.follows.followedUserIds,
      followsCheckedAt: stored.followsCheckedAt.toISOString(),
    };
  }
  return next;
}

function followRuleOf(config: CampaignConfig) {
  const rule = config.entryRules.all.find((r) => r.type === 'follow');
  return rule?.type === 'follow' ? rule : undefined;
}

/** Excluded anyway, and X would not show their follows: no call is spent on them. */
function excludedByProfile(config: CampaignConfig, facts: StoredFacts): boolean {
  const { exclusions } = config;
  return (
    (exclusions.excludeProtected && facts.profile.protected) ||
    (exclusions.excludeSuspended && facts.profile.suspended)
  );
}

const needsProfile = (config: CampaignConfig, facts: StoredFacts) =>
  facts.sources.length > 0 &&
  (config.exclusions.excludeProtected || config.exclusions.excludeSuspended) &&
  !facts.profileCheckedAt;

/** Whether the campaign judges this participant's follows (read from X, once or again). */
export const judgesFollows = (config: CampaignConfig, facts: StoredFacts) =>
  facts.sources.length > 0 &&
  followRuleOf(config) !== undefined &&
  !excludedByProfile(config, facts);

const needsFollows = (config: CampaignConfig, facts: StoredFacts) =>
  judgesFollows(config, facts) && !facts.followsCheckedAt;

/**
 * Whether X has answered everything the campaign's rules and exclusions need to judge this
 * participant. One with nothing in the entry period needs nothing: it is decided as outside it.
 */
export function hasCompleteFacts(config: CampaignConfig, facts: StoredFacts): boolean {
  return !needsProfile(config, facts) && !needsFollows(config, facts);
}

export interface FactFetcherDeps {
  db: Db;
  x: Pick<XAccess, 'xLookupUsers' | 'xCheckFollows' | 'xListFollowing'>;
  now: () => Date;
}

export function createFactFetcher({ db, x, now }: FactFetcherDeps) {
  /**
   * X's last word on each endpoint's window, per account: a spent one is not called again
   * before its reset (calling would only wait, or be refused).
   */
  const windows = new Map<string, XRateLimit>();
  const windowKey = (accountId: string, endpoint: 'users_lookup' | 'following') =>
    `${accountId}:${endpoint}`;

  function spentUntil(key: string): string | undefined {
    const window = windows.get(key);
    if (!window || window.remaining > 0) return undefined;
    return Date.parse(window.resetAt) > now().getTime() ? window.resetAt : undefined;
  }

  function noteSpent(key: string, resetAt: string): void {
    windows.set(key, { limit: 0, remaining: 0, resetAt });
  }

  /** Protected and suspended flags, 100 users a call, stored after each call. */
  async function fetchProfiles(
    config: CampaignConfig,
    accountId: string,
    campaignId: string,
    subjects: FactsSubject[],
  ): Promise<FetchProgress> {
    const pending = subjects.filter((s) => needsProfile(config, s.facts));
    const key = windowKey(accountId, 'users_lookup');
    for (let start = 0; start < pending.length; start += USERS_LOOKUP_BATCH) {
      const spent = spentUntil(key);
      if (spent) return { spentUntil: spent };
      const batch = pending.slice(start, start + USERS_LOOKUP_BATCH);
      let answer;
      try {
        answer = await x.xLookupUsers({ accountId, ids: batch.map((s) => s.xUserId) });
      } catch (error) {
        const until = limitedUntil(error, now());
        if (!until) throw error;
        noteSpent(key, until);
        return { spentUntil: until };
      }
      if (answer.rateLimit) windows.set(key, answer.rateLimit);
      const found = new Map(answer.users.map((user) => [user.id, user]));
      const suspended = new Set(
        answer.errors
          .filter((error) => error.code === 'recipient_suspended' && error.resourceId)
          .map((error) => error.resourceId),
      );
      const checkedAt = now();
      const profiles = batch.map((subject) => {
        const profile = {
          protected: found.get(subject.xUserId)?.protected ?? subject.facts.profile.protected,
          suspended: suspended.has(subject.xUserId),
        };
        subject.facts = { ...subject.facts, profile, profileCheckedAt: checkedAt.toISOString() };
        return { xUserId: subject.xUserId, profile };
      });
      await saveParticipantProfiles(db, campaignId, profiles, checkedAt);
      heartbeat({ step: 'profiles', done: start + batch.length, of: pending.length });
    }
    return {};
  }

  /**
   * Reads a participant's following list, one page a call, until every target is found or the
   * list ends; stops (undefined found) when X's window is spent first.
   */
  async function readFollowing(
    accountId: string,
    followerId: string,
    targets: readonly string[],
  ): Promise<{ found?: Set<string>; spentUntil?: string }> {
    const key = windowKey(accountId, 'following');
    const found = new Set<string>();
    let paginationToken: string | undefined;
    for (let page = 0; page < FOLLOWING_PAGES; page += 1) {
      const spent = spentUntil(key);
      if (spent) return { spentUntil: spent };
      let answer;
      try {
        answer = await x.xListFollowing({
          accountId,
          userId: followerId,
          maxPages: 1,
          paginationToken,
        });
      } catch (error) {
        // A protected, suspended or vanished participant's follows cannot be read: unproven.
        if (unreadableParticipant(error)) return { found };
        const until = limitedUntil(error, now());
        if (!until) throw error;
        noteSpent(key, until);
        return { spentUntil: until };
      }
      if (answer.rateLimit) windows.set(key, answer.rateLimit);
      for (const user of answer.items) if (targets.includes(user.id)) found.add(user.id);
      if (found.size === targets.length || !answer.nextToken) return { found };
      paginationToken = answer.nextToken;
    }
    return { found };
  }

  /** Without a stored sender id, xCheckFollows asks X who the sender is. */
  async function followsUnknownSender(accountId: string, followerId: string) {
    try {
      const answer = await x.xCheckFollows({ accountId, followerId, maxPages: FOLLOWING_PAGES });
      return { follows: answer.follows === true };
    } catch (error) {
      if (unreadableParticipant(error)) return { follows: false };
      const until = limitedUntil(error, now());
      if (!until) throw error;
      noteSpent(windowKey(accountId, 'following'), until);
      return { spentUntil: until };
    }
  }

  /**
   * Whether the participant follows the sender and the rule's other accounts, stored at once.
   * A follow event already seen stands unless `refresh` (the draw) reads it again.
   */
  async function fetchFollows(
    config: CampaignConfig,
    account: { id: string; xUserId: string | null },
    campaignId: string,
    subject: FactsSubject,
    refresh: boolean,
  ): Promise<FetchProgress> {
    const alsoUserIds = followRuleOf(config)?.alsoUserIds ?? [];
    const keepSender = !refresh && subject.facts.followsSender;
    const senderId = keepSender ? undefined : (account.xUserId ?? undefined);
    const targets = [...(senderId ? [senderId] : []), ...alsoUserIds];
    let followsSender = keepSender;
    let found = new Set<string>();
    if (targets.length > 0) {
      const read = await readFollowing(account.id, subject.xUserId, targets);
      if (!read.found) return { spentUntil: read.spentUntil };
      found = read.found;
      if (senderId) followsSender = found.has(senderId);
    }
    if (!keepSender && !senderId) {
      const sender = await followsUnknownSender(account.id, subject.xUserId);
      if (sender.spentUntil) return { spentUntil: sender.spentUntil };
      followsSender = sender.follows === true;
    }
    const follows = { followsSender, followedUserIds: alsoUserIds.filter((id) => found.has(id)) };
    const checkedAt = now();
    await saveParticipantFollows(db, campaignId, subject.xUserId, follows, checkedAt);
    subject.facts = { ...subject.facts, ...follows, followsCheckedAt: checkedAt.toISOString() };
    return {};
  }

  return {
    fetchProfiles,
    fetchFollows,

    /**
     * Fetches what X has not answered yet for these participants, storing each answer as it
     * arrives; stops at a spent rate window and says until when.
     */
    async fetchMissingFacts(
      config: CampaignConfig,
      account: { id: string; xUserId: string | null },
      campaignId: string,
      subjects: FactsSubject[],
    ): Promise<FetchProgress> {
      const profiles = await fetchProfiles(config, account.id, campaignId, subjects);
      const pending = subjects.filter((s) => needsFollows(config, s.facts));
      for (const [index, subject] of pending.entries()) {
        const progress = await fetchFollows(config, account, campaignId, subject, false);
        if (progress.spentUntil) return progress;
        heartbeat({ step: 'follows', done: index + 1, of: pending.length });
      }
      return profiles;
    },

    /** Facts from the database: wins in earlier campaigns, entries refused as duplicates. */
    async addRecordFacts(config: CampaignConfig, db: Db, subjects: FactsSubject[]): Promise<void> {
      const inPeriod = subjects.filter((s) => s.facts.sources.length > 0);
      if (inPeriod.length === 0) return;
      const wins = await findWinsInCampaigns(
        db,
        config.exclusions.excludePreviousWinnersOf,
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
