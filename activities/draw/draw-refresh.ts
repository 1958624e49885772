/**
 * Before the draw, follows and reposts are read from X again for everyone not yet drawn, so the
 * pool holds only who still meets the rules.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import { listUndrawnEntries, upsertEntry } from '../../db/repositories/entries';
import type { CampaignConfig } from '../../domain/campaign-config';
import { decideParticipant } from '../../domain/eligibility';
import {
  type createFactFetcher,
  type FactsSubject,
  heartbeat,
  judgesFollows,
  type StoredFacts,
} from '../entries/participant-facts';
import type { XAccess } from '../x-access';

/** Calls of up to 5 pages each when listing every reposter before the draw. */
const REPOSTER_CALLS = 40;
/** Participants whose profiles are looked up together before the draw. */
const REFRESH_CHUNK = 100;

/** Retried by Temporal at the window's reset; everyone refreshed so far stays refreshed. */
function windowSpent(resetAt: string, at: Date): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'rate_limited',
    message: `X's rate window is spent until ${resetAt}; the draw's refresh goes on then`,
    nextRetryDelay: Math.max(1_000, Date.parse(resetAt) - at.getTime() + 1_000),
  });
}

export interface DrawRefreshDeps {
  db: Db;
  x: Pick<XAccess, 'xListReposters'>;
  factFetcher: ReturnType<typeof createFactFetcher>;
  now: () => Date;
}

export function createDrawRefresh({ db, x, factFetcher, now: wallClock }: DrawRefreshDeps) {
  /** The reposters of the campaign post, or undefined when X did not list them all. */
  async function listAllReposters(accountId: string, postId: string) {
    const ids = new Set<string>();
    let paginationToken: string | undefined;
    for (let call = 0; call < REPOSTER_CALLS; call += 1) {
      const page = await x.xListReposters({ accountId, postId, maxPages: 5, paginationToken });
      for (const user of page.items) ids.add(user.id);
      if (page.complete) return ids;
      paginationToken = page.nextToken;
    }
    return undefined;
  }

  /**
   * Before the draw, follows and reposts are read again for everyone not yet drawn: a repost
   * undone or an account unfollowed before the draw no longer counts (and a follow made since
   * entering now does). Each participant is marked when refreshed, so a retry goes on from there.
   */
  async function refreshBeforeDraw(
    campaignId: string,
    config: CampaignConfig,
    account: { id: string; xUserId: string | null },
  ): Promise<void> {
    const ruleTypes = new Set(config.entryRules.all.map((rule) => rule.type));
    if (!ruleTypes.has('repost') && !ruleTypes.has('follow')) return;
    const entries = (await listUndrawnEntries(db, campaignId)).filter(
      (entry) => !(entry.facts as StoredFacts).refreshedForDrawAt,
    );
    if (entries.length === 0) return;
    // Only removes: a repost cannot be dated, so one first seen now may be after the end.
    const reposters = ruleTypes.has('repost')
      ? await listAllReposters(account.id, config.post.tweetId)
      : undefined;
    for (let start = 0; start < entries.length; start += REFRESH_CHUNK) {
      const chunk = entries.slice(start, start + REFRESH_CHUNK);
      const subjects: FactsSubject[] = chunk.map((entry) => {
        const facts = entry.facts as StoredFacts;
        return {
          xUserId: entry.xUserId,
          facts: {
            ...facts,
            reposted: facts.reposted && (reposters?.has(entry.xUserId) ?? true),
          },
        };
      });
      const profiles = await factFetcher.fetchProfiles(config, account.id, campaignId, subjects);
      if (profiles.spentUntil) throw windowSpent(profiles.spentUntil, wallClock());
      // One participant at a time, stored (and marked) as soon as X has answered for them.
      for (const [index, subject] of subjects.entries()) {
        const entry = chunk[index];
        if (!entry) continue;
        if (ruleTypes.has('follow') && judgesFollows(config, subject.facts)) {
          const follows = await factFetcher.fetchFollows(
            config,
            account,
            campaignId,
            subject,
            true,
          );
          if (follows.spentUntil) throw windowSpent(follows.spentUntil, wallClock());
        }
        await factFetcher.addRecordFacts(config, db, [subject]);
        const facts: StoredFacts = {
          ...subject.facts,
          refreshedForDrawAt: wallClock().toISOString(),
        };
        const verdict = decideParticipant(
          config,
          { userId: entry.xUserId, username: entry.username ?? undefined },
          facts,
        );
        await upsertEntry(db, {
          campaignId,
          xUserId: entry.xUserId,
          username: entry.username,
          consentBasis: entry.consentBasis,
          facts,
          eligible: verdict.eligible,
          reasons: verdict.reasons,
        });
        heartbeat({ step: 'draw_refresh', done: start + index + 1, of: entries.length });
      }
    }
  }
  return { refreshBeforeDraw };
}
