/**
 * What an X Activity API event means for Kuji: the entry events it carries for a campaign (keyed
 * by X's ids exactly as polling keys them), the one campaign a keyword DM enters, and the "I
 * didn't get it" complaints it holds. Pure mapping; the webhook route stores and signals.
 */
import type { CampaignConfig } from '../domain/campaign-config';
import {
  type EntryEventDraft,
  type PostEngagementSource,
  postEngagementEvent,
  userEngagementEvent,
  xDateOrNull,
} from '../domain/entry-events';
import { detectNotReceived, type NotReceivedMatch } from '../domain/not-received';
import { containsPhrase } from '../domain/text';
import {
  type ActivityEvent,
  dmPayloadSchema,
  followPayloadSchema,
  includesSchema,
  likePayloadSchema,
  type PostPayload,
  postPayloadSchema,
} from './schemas/webhooks';

/**
 * A campaign that takes X's events for the subscribed X user: approved and not yet past
 * delivering, whatever phase its workflow has recorded (see `eventTakingPhases`).
 */
export interface CollectingCampaign {
  id: string;
  workflowId: string | null;
  senderXUserId: string;
  config: CampaignConfig;
}

/** The one campaign a keyword DM enters (shared with polling, which routes DMs the same way). */
export { routeKeywordDms } from '../domain/keyword-dm-routing';

declare module 'fastify' {
  interface FastifyRequest {
    /** The delivery's bytes exactly as X signed them (webhook routes only). */
    rawWebhookBody?: Buffer;
  }
}

function postReferences(post: PostPayload, type: string, postId: string): boolean {
  return post.referenced_tweets.some((ref) => ref.type === type && ref.id === postId);
}

function usernameOf(includes: unknown, userId: string): string | null {
  const users = includesSchema.parse(includes)?.users ?? [];
  return users.find((user) => user.id === userId)?.username ?? null;
}

/**
 * The entry events one Activity API event means for one campaign, keyed by X's own ids exactly
 * as polling keys them, so the webhook and the polling reconciliation deduplicate each other.
 * Like polling, a source is collected only when one of the campaign's rules reads it.
 */
export function entryEventsFor(
  event: ActivityEvent,
  campaign: CollectingCampaign,
): EntryEventDraft[] {
  const ruleTypes = new Set(campaign.config.entryRules.all.map((rule) => rule.type));
  const campaignPostId = campaign.config.post.tweetId;
  const sender = campaign.senderXUserId;

  const fromPost = (source: PostEngagementSource, post: PostPayload) =>
    postEngagementEvent(
      source,
      {
        id: post.id,
        authorId: post.author_id,
        username: usernameOf(event.includes, post.author_id),
        text: post.text,
        createdAt: post.created_at,
      },
      sender,
    );

  switch (event.event_type) {
    case 'post.reply.create': {
      const post = postPayloadSchema.safeParse(event.payload);
      if (!post.success || !ruleTypes.has('reply')) return [];
      // Polling reads the whole thread (conversation_id), so the webhook does too.
      const inThread =
        post.data.conversation_id === campaignPostId ||
        postReferences(post.data, 'replied_to', campaignPostId);
      return inThread ? fromPost('reply', post.data) : [];
    }
    case 'post.quote.create': {
      const post = postPayloadSchema.safeParse(event.payload);
      if (!post.success || !ruleTypes.has('quote')) return [];
      return postReferences(post.data, 'quoted', campaignPostId)
        ? fromPost('quote', post.data)
        : [];
    }
    case 'post.mention.create': {
      const post = postPayloadSchema.safeParse(event.payload);
      // Entry processing reads a mention as a reply (it summons the sender), so a reply rule asks.
      if (!post.success || !ruleTypes.has('reply')) return [];
      return fromPost('mention', post.data);
    }
    case 'post.repost.create': {
      const post = postPayloadSchema.safeParse(event.payload);
      if (!post.success || !ruleTypes.has('repost')) return [];
      if (!postReferences(post.data, 'retweeted', campaignPostId)) return [];
      if (post.data.author_id === sender) return [];
      const reposter = {
        id: post.data.author_id,
        username: usernameOf(event.includes, post.data.author_id),
      };
      return [userEngagementEvent('repost', reposter, xDateOrNull(post.data.created_at))];
    }
    case 'like.create': {
      const like = likePayloadSchema.safeParse(event.payload);
      if (!like.success || !ruleTypes.has('like')) return [];
      // The sender's own likes arrive as outbound events; only likes of the campaign post count.
      if (event.filter?.direction === 'outbound' || like.data.liked_tweet_id !== campaignPostId) {
        return [];
      }
      const users = includesSchema.parse(event.includes)?.users ?? [];
      const liker = users.find((user) => user.id !== (like.data.liked_tweet_author_id ?? sender));
      if (!liker || liker.id === sender) return [];
      return [userEngagementEvent('like', liker, xDateOrNull(like.data.timestamp_ms))];
    }
    case 'follow.follow': {
      const follow = followPayloadSchema.safeParse(event.payload);
      if (!follow.success || !ruleTypes.has('follow')) return [];
      const follower = follow.data.source.data;
      if (follow.data.target.data.id !== sender || follower.id === sender) return [];
      // X dates no follow: it happened by the time it arrived. Undated, a follow made after
      // the end would still count (and could win a late participant a prize).
      return [userEngagementEvent('follow', follower, new Date())];
    }
    case 'dm.received': {
      const dm = dmPayloadSchema.safeParse(event.payload);
      const keywords = campaign.config.entryRules.all.flatMap((rule) =>
        rule.type === 'dm_keyword' ? [rule.keyword] : [],
      );
      if (!dm.success || keywords.length === 0) return [];
      return dm.data.direct_message_events.flatMap((message) => {
        const create = message.message_create;
        if (message.type !== 'message_create' || !create) return [];
        if (create.target.recipient_id !== sender || create.sender_id === sender) return [];
        const text = create.message_data.text;
        if (!keywords.some((keyword) => containsPhrase(text, keyword))) return [];
        return [
          {
            source: 'dm_keyword' as const,
            xEventId: message.id,
            xUserId: create.sender_id,
            username: dm.data.users?.[create.sender_id]?.data.username ?? null,
            text,
            occurredAt: xDateOrNull(message.created_timestamp),
          },
        ];
      });
    }
    default:
      return [];
  }
}

/** How a participant told the sender that their result did not arrive. */
export type ComplaintChannel = 'dm' | 'reply' | 'mention';

/** A participant's "I didn't get it", addressed to the subscribed sender account. */
export interface NotReceivedComplaint {
  xUserId: string;
  username: string | null;
  /** X's id of the DM event or post that carried it. */
  eventId: string;
  via: ComplaintChannel;
  match: NotReceivedMatch;
}

/**
 * The "not received" complaints one Activity API event carries: DMs to the sender and replies
 * or mentions addressed to it, written by someone else, whose words `detectNotReceived` reads as
 * a complaint. A list, because one `dm.received` payload may hold several messages.
 */
export function notReceivedComplaints(
  event: ActivityEvent,
  senderXUserId: string,
): NotReceivedComplaint[] {
  if (event.filter?.direction === 'outbound') return [];
  switch (event.event_type) {
    case 'post.reply.create':
    case 'post.mention.create': {
      const post = postPayloadSchema.safeParse(event.payload);
      if (!post.success || post.data.author_id === senderXUserId) return [];
      const match = detectNotReceived(post.data.text ?? '');
      if (!match) return [];
      return [
        {
          xUserId: post.data.author_id,
          username: usernameOf(event.includes, post.data.author_id),
          eventId: post.data.id,
          via: event.event_type === 'post.reply.create' ? 'reply' : 'mention',
          match,
        },
      ];
    }
    case 'dm.received': {
      const dm = dmPayloadSchema.safeParse(event.payload);
      if (!dm.success) return [];
      return dm.data.direct_message_events.flatMap((message) => {
        const create = message.message_create;
        if (message.type !== 'message_create' || !create) return [];
        if (create.target.recipient_id !== senderXUserId || create.sender_id === senderXUserId) {
          return [];
        }
        const match = detectNotReceived(create.message_data.text);
        if (!match) return [];
        return [
          {
            xUserId: create.sender_id,
            username: dm.data.users?.[create.sender_id]?.data.username ?? null,
            eventId: message.id,
            via: 'dm' as const,
            match,
          },
        ];
      });
    }
    default:
      return [];
  }
}
