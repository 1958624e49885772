/**
 * Entry events as X's engagements become them, one mapping for both ways they arrive: the
 * webhook (api/x-activity-events.ts) and polling reconciliation (activities/entries/). Both key an
 * event by X's own ids in the same way, so `entry_events`' unique key deduplicates one against
 * the other. Pure; workflow-safe.
 */
import type { EntrySource } from './consent';

/** An entry event as both sides build it, before the campaign and the channel are added. */
export interface EntryEventDraft {
  /** X's own id: the post or DM event id, or `${source}:${userId}` for a user list's entry. */
  xEventId: string;
  source: EntrySource;
  xUserId: string;
  username?: string | null;
  text?: string | null;
  occurredAt?: Date | null;
}

/** Engagements X lists as users, with no id of their own: one entry per user and source. */
export type UserEngagementSource = 'repost' | 'like' | 'follow';

/** Engagements that are posts (X's post id is the event's key). */
export type PostEngagementSource = 'reply' | 'quote' | 'mention';

/** The key of a user's repost, like or follow: X gives these no event id of their own. */
export function userEngagementKey(source: UserEngagementSource, xUserId: string): string {
  return `${source}:${xUserId}`;
}

/**
 * A date as X writes it, ISO 8601 or epoch milliseconds as digits (the Activity API's
 * `timestamp_ms`, `created_timestamp`); null when absent or unreadable.
 */
export function xDateOrNull(value: string | undefined | null): Date | null {
  if (!value) return null;
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A user's repost, like or follow. `occurredAt`: when X dates it (a repost post, a like's
 * timestamp), else null — except what the caller knows better (a follow received just now).
 */
export function userEngagementEvent(
  source: UserEngagementSource,
  user: { id: string; username?: string | null },
  occurredAt: Date | null = null,
): EntryEventDraft {
  return {
    source,
    xEventId: userEngagementKey(source, user.id),
    xUserId: user.id,
    username: user.username ?? null,
    text: null,
    occurredAt,
  };
}

/**
 * A reply, quote or mention as an entry; none when X gave no author or the sender wrote it
 * (the account's own posts in its thread are not entries).
 */
export function postEngagementEvent(
  source: PostEngagementSource,
  post: {
    id: string;
    authorId?: string | null;
    username?: string | null;
    text?: string | null;
    createdAt?: string | null;
  },
  senderXUserId: string | null,
): EntryEventDraft[] {
  if (!post.authorId || post.authorId === senderXUserId) return [];
  return [
    {
      source,
      xEventId: post.id,
      xUserId: post.authorId,
      username: post.username ?? null,
      text: post.text ?? null,
      occurredAt: xDateOrNull(post.createdAt),
    },
  ];
}
