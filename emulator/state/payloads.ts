/** Users and posts as X Activity API webhook payloads carry them. */
import { hashtagEntities, mentionEntities } from './text';
import type { EmuPost, EmuUser } from './types';

/** The user object as webhook payloads carry it. */
export function userPayload(user: EmuUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    description: user.description,
    protected: user.protected,
    verified: user.verified,
    verified_type: user.verified ? 'blue' : 'none',
    created_at: new Date(user.createdAtMs).toISOString(),
  };
}

/** The post object as webhook payloads carry it (all fields). */
export function postPayload(
  users: { user(ref: string): EmuUser | undefined },
  post: EmuPost,
): Record<string, unknown> {
  const referenced: { type: string; id: string }[] = [];
  if (post.inReplyToPostId) referenced.push({ type: 'replied_to', id: post.inReplyToPostId });
  if (post.quotedPostId) referenced.push({ type: 'quoted', id: post.quotedPostId });
  if (post.repostOfId) referenced.push({ type: 'retweeted', id: post.repostOfId });
  const mentions = mentionEntities(post.text).map((m) => ({
    ...m,
    id: users.user(m.username)?.id,
  }));
  const hashtags = hashtagEntities(post.text);
  return {
    id: post.id,
    text: post.text,
    author_id: post.authorId,
    created_at: new Date(post.createdAtMs).toISOString(),
    conversation_id: post.conversationId,
    edit_history_tweet_ids: [post.id],
    ...(post.inReplyToUserId ? { in_reply_to_user_id: post.inReplyToUserId } : {}),
    ...(referenced.length > 0 ? { referenced_tweets: referenced } : {}),
    ...(mentions.length > 0 || hashtags.length > 0
      ? {
          entities: {
            ...(mentions.length > 0 ? { mentions } : {}),
            ...(hashtags.length > 0 ? { hashtags } : {}),
          },
        }
      : {}),
    reply_settings: post.replySettings,
    lang: /[\u3040-\u30ff\u4e00-\u9fff]/.test(post.text) ? 'ja' : 'en',
  };
}
