/**
 * The entry watch's state per campaign: X's list cursors, when X's lists were last read, and
 * when the webhook subscription was last checked and last found armed. One row per campaign,
 * written by the watch's attempts (none of which may depend on another having run).
 */
import { sql } from 'kysely';
import type { Db } from '../client';

export interface WatchCursors {
  /** Newest reply id seen by recent search, for the next poll's since_id. */
  repliesSinceId?: string;
  /** Newest DM event id seen (keyword DMs by polling): the next poll reads back to it. */
  dmNewestId?: string;
  /** DMs a poll left unread below the newest (more than it reads at once): read on from here. */
  dmBackfill?: { paginationToken: string; untilId?: string };
  /** Where X's user lists (reposters, likers, followers) are read on from. */
  lists?: Partial<Record<'reposters' | 'likers' | 'followers', UserListCursor>>;
}

/** One of X's user lists (newest first), as polls left it. */
export interface UserListCursor {
  /**
   * Parts a poll left unread below what it read (X's pagination tokens, newest part first): each
   * is read on down to users stored before, or the list's end.
   */
  gaps?: string[];
  /** Polls in a row that read only `gaps`, not the top of the list. */
  pollsWithoutTop?: number;
  /** The list's window is spent until then (X's clock): not read before. */
  resetAt?: string;
}

export interface CampaignWatch {
  campaignId: string;
  cursors: WatchCursors;
  polledAt: Date | null;
  armedCheckedAt: Date | null;
  lastArmedAt: Date | null;
}

/** The campaign's watch state; a campaign never watched has none. */
export async function findCampaignWatch(
  db: Db,
  campaignId: string,
): Promise<CampaignWatch | undefined> {
  const row = await db
    .selectFrom('campaign_watch')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    campaignId: row.campaign_id,
    cursors: row.cursors,
    polledAt: row.polled_at,
    armedCheckedAt: row.armed_checked_at,
    lastArmedAt: row.last_armed_at,
  };
}

/** Records a read of X's lists at `polledAt`, with the cursors to read on from. */
export async function saveWatchPoll(
  db: Db,
  campaignId: string,
  poll: { cursors: WatchCursors; polledAt: Date },
): Promise<void> {
  const cursors = JSON.stringify(poll.cursors);
  await db
    .insertInto('campaign_watch')
    .values({ campaign_id: campaignId, cursors, polled_at: poll.polledAt })
    .onConflict((oc) =>
      oc.column('campaign_id').doUpdateSet({
        cursors,
        polled_at: poll.polledAt,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/**
 * Records an armed check. `checkedAt` is on the workflow's clock (when to check again); `seenAt`
 * on X's clock (the wall clock), since the last instant seen armed starts the window X replays
 * after a re-arm. `armed` moves that instant; a check that failed, or found the automation
 * disarmed, keeps the earlier one. (The two clocks agree in production; in tests the server's
 * is skipped ahead of X's.)
 */
export async function saveWatchArmedCheck(
  db: Db,
  campaignId: string,
  check: { checkedAt: Date; seenAt: Date; armed: boolean },
): Promise<void> {
  const lastArmedAt = check.armed ? check.seenAt : null;
  await db
    .insertInto('campaign_watch')
    .values({
      campaign_id: campaignId,
      cursors: '{}',
      armed_checked_at: check.checkedAt,
      last_armed_at: lastArmedAt,
    })
    .onConflict((oc) =>
      oc.column('campaign_id').doUpdateSet((eb) => ({
        armed_checked_at: check.checkedAt,
        last_armed_at: check.armed ? eb.val(check.seenAt) : eb.ref('campaign_watch.last_armed_at'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
