/**
 * Posts (X's tags Posts, Likes and Search): writing a post or reply, looking one up, who reposted,
 * liked or quoted it, a user's mentions and recent search.
 */
import type { FaultPresetName } from '../faults';
import { json } from '../http';
import { invalidRequestBody, renderPost, renderUser, requestedFields } from '../render';
import { compileQuery } from '../search';
import { DUPLICATE_WINDOW_MS, type EmuPost, type EmuUser, type EmulatorState } from '../state';
import { callerUser, cursorOf, fromPreset, maxResults, requireId, type ApiRoute } from './context';
import {
  knownUsers,
  notAuthorizedTimeline,
  postListReply,
  sinceIdFilter,
  targetUserOr200Error,
  userListReply,
  visiblePost,
} from './lists';

function writeRefusal(sender: EmuUser): FaultPresetName | undefined {
  if (sender.suspended) return 'sender_suspended';
  if (sender.locked) return 'locked';
  if (sender.automationFlagged) return 'automated';
  return undefined;
}

/** Self-serve access may reply only when summoned: the target mentions, quotes or answers the sender. */
function summoned(state: EmulatorState, sender: EmuUser, target: EmuPost): boolean {
  if (target.authorId === sender.id) return true;
  if (
    state
      .mentionedUsernames(target.text)
      .some((u) => u.toLowerCase() === sender.username.toLowerCase())
  )
    return true;
  const quoted = target.quotedPostId ? state.posts.get(target.quotedPostId) : undefined;
  if (quoted?.authorId === sender.id) return true;
  return target.inReplyToUserId === sender.id;
}

export const createPost: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/tweets$/,
  endpoint: 'posts.create',
  auth: 'user',
  scopes: ['tweet.write'],
  handle(context) {
    const sender = callerUser(context);
    const body = (context.request.json ?? {}) as {
      text?: unknown;
      reply?: { in_reply_to_tweet_id?: unknown };
      quote_tweet_id?: unknown;
    };
    const text = typeof body.text === 'string' ? body.text : '';
    const refusal = writeRefusal(sender);
    if (refusal) return fromPreset(refusal, context, 'posts.create');
    const textProblem = context.state.validateText('post', text);
    if (textProblem === 'empty')
      return json(
        400,
        invalidRequestBody('text', text, 'The `text` field must be a non-empty string.'),
      );
    if (textProblem === 'too_long') return fromPreset('text_too_long', context, 'posts.create');
    const replyToId =
      typeof body.reply?.in_reply_to_tweet_id === 'string'
        ? body.reply.in_reply_to_tweet_id
        : undefined;
    let target: EmuPost | undefined;
    if (replyToId !== undefined) {
      requireId(replyToId, 'in_reply_to_tweet_id');
      target = context.state.posts.get(replyToId);
      if (!target || !context.state.canSeePost(sender.id, target))
        return fromPreset('post_not_found', context, 'posts.create');
      if (context.state.isBlocking(target.authorId, sender.id))
        return fromPreset('blocked', context, 'posts.create');
      const mentioned = context.state
        .mentionedUsernames(target.text)
        .some((u) => u.toLowerCase() === sender.username.toLowerCase());
      const restricted =
        (target.replySettings === 'following' &&
          target.authorId !== sender.id &&
          !context.state.isFollowing(target.authorId, sender.id)) ||
        (target.replySettings === 'mentionedUsers' && target.authorId !== sender.id && !mentioned);
      if (
        restricted ||
        (context.state.app.tier === 'self_serve' && !summoned(context.state, sender, target))
      ) {
        return fromPreset('reply_not_permitted', context, 'posts.create');
      }
    }
    const quoteId = typeof body.quote_tweet_id === 'string' ? body.quote_tweet_id : undefined;
    if (quoteId !== undefined && !context.state.posts.get(requireId(quoteId, 'quote_tweet_id'))) {
      return fromPreset('post_not_found', context, 'posts.create');
    }
    const duplicate = [...context.state.posts.values()].some(
      (post) =>
        post.authorId === sender.id &&
        post.text === text &&
        !post.repostOfId &&
        context.now - post.createdAtMs < DUPLICATE_WINDOW_MS,
    );
    if (duplicate) return fromPreset('duplicate', context, 'posts.create');
    const post = context.state.createPost({
      author: sender.id,
      text,
      replyTo: target?.id,
      quoteOf: quoteId,
      viaApi: true,
    });
    return json(201, { data: { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] } });
  },
};

export const lookupPost: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/tweets\/([^/]+)$/,
  endpoint: 'posts.lookup',
  auth: 'any',
  handle(context) {
    const id = requireId(context.request.params.id ?? '', 'id');
    const post = visiblePost(context, id);
    if (!('seq' in post)) return post;
    const { query } = context.request;
    const body: Record<string, unknown> = {
      data: renderPost(context.state, post, requestedFields(query, 'tweet.fields')),
    };
    if (requestedFields(query, 'expansions').has('author_id')) {
      const author = context.state.users.get(post.authorId);
      if (author)
        body.includes = {
          users: [
            renderUser(
              context.state,
              author,
              context.caller?.userId,
              requestedFields(query, 'user.fields'),
            ),
          ],
        };
    }
    return json(200, body);
  },
};

export const retweetedBy: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/tweets\/([^/]+)\/retweeted_by$/,
  endpoint: 'posts.retweeted_by',
  auth: 'any',
  handle(context) {
    const post = visiblePost(context, requireId(context.request.params.id ?? '', 'id'));
    if (!('seq' in post)) return post;
    const reposters = [...context.state.posts.values()]
      .filter((p) => p.repostOfId === post.id)
      .map((p) => ({ seq: p.seq, userId: p.authorId }));
    return userListReply(context, knownUsers(context, reposters), 1, 100, 100);
  },
};

export const likingUsers: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/tweets\/([^/]+)\/liking_users$/,
  endpoint: 'posts.liking_users',
  auth: 'user',
  scopes: ['like.read'],
  handle(context) {
    const post = visiblePost(context, requireId(context.request.params.id ?? '', 'id'));
    if (!('seq' in post)) return post;
    const likers = context.state.likes
      .filter((like) => like.postId === post.id)
      .map((like) => ({ seq: like.seq, userId: like.userId }));
    return userListReply(context, knownUsers(context, likers), 1, 100, 100);
  },
};

export const quoteTweets: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/tweets\/([^/]+)\/quote_tweets$/,
  endpoint: 'posts.quote_tweets',
  auth: 'any',
  handle(context) {
    const post = visiblePost(context, requireId(context.request.params.id ?? '', 'id'));
    if (!('seq' in post)) return post;
    const { query } = context.request;
    const quotes = [...context.state.posts.values()].filter(
      (p) => p.quotedPostId === post.id && context.state.canSeePost(context.caller?.userId, p),
    );
    return postListReply(
      context,
      quotes,
      maxResults(query, 10, 100, 10),
      cursorOf(query, ['pagination_token']),
    );
  },
};

export const mentions: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/([^/]+)\/mentions$/,
  endpoint: 'users.mentions',
  auth: 'any',
  handle(context) {
    const target = targetUserOr200Error(context, requireId(context.request.params.id ?? '', 'id'));
    if (!('username' in target)) return target;
    if (!context.state.canSeeUserContent(context.caller?.userId, target))
      return notAuthorizedTimeline();
    const { query } = context.request;
    const since = sinceIdFilter(query);
    const username = target.username.toLowerCase();
    const posts = [...context.state.posts.values()].filter(
      (post) =>
        !post.repostOfId &&
        since(post) &&
        context.state.canSeePost(context.caller?.userId, post) &&
        context.state.mentionedUsernames(post.text).some((u) => u.toLowerCase() === username),
    );
    return postListReply(
      context,
      posts,
      maxResults(query, 5, 100, 10),
      cursorOf(query, ['pagination_token']),
    );
  },
};

export const searchRecent: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/tweets\/search\/recent$/,
  endpoint: 'search.recent',
  auth: 'any',
  handle(context) {
    const { query } = context.request;
    const text = query.get('query');
    if (!text)
      return json(
        400,
        invalidRequestBody('query', '', 'The `query` query parameter can not be empty'),
      );
    const matches = compileQuery(context.state, text);
    const since = sinceIdFilter(query);
    const weekAgo = context.now - 7 * 24 * 60 * 60 * 1000;
    const posts = [...context.state.posts.values()].filter(
      (post) =>
        post.createdAtMs >= weekAgo &&
        since(post) &&
        context.state.canSeePost(context.caller?.userId, post) &&
        matches(post),
    );
    return postListReply(
      context,
      posts,
      maxResults(query, 10, 100, 10),
      cursorOf(query, ['next_token', 'pagination_token']),
    );
  },
};
