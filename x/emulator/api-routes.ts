/**
 * The X API v2 endpoints Kuji uses, with X's paths, parameters, response shapes and refusals.
 */
import { presetOutcome, type FaultPresetName } from './faults';
import type { EndpointKey } from './endpoints';
import { HttpError, json, type EmuReply, type EmuRequest } from './http';
import {
  decodePaginationToken,
  encodePaginationToken,
  invalidRequestBody,
  postLookupError,
  problemBody,
  renderDmEvent,
  renderPost,
  renderUser,
  requestedFields,
  userLookupError,
  PROBLEM_X,
} from './render';
import { redeemAuthorizationCode } from './oauth-consent';
import { compileQuery } from './search';
import { DUPLICATE_WINDOW_MS, type EmuPost, type EmuUser, type EmulatorState } from './state';
import type { WebhookDispatcher } from './webhooks';

export interface Caller {
  kind: 'oauth1' | 'oauth2' | 'app';
  userId?: string;
  scopes?: string[];
  accessToken: string;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT';
  pattern: RegExp;
  endpoint: EndpointKey;
  /** 'user': user context only; 'any': app-only bearer accepted; 'client': OAuth 2.0 client auth. */
  auth: 'user' | 'any' | 'client';
  /** OAuth 2.0 scopes the user token must hold. */
  scopes?: string[];
  /** The resource id a fault body should name. */
  resourceParam?: string;
  handle(context: ApiContext): EmuReply | Promise<EmuReply>;
}

export interface ApiContext {
  state: EmulatorState;
  webhooks: WebhookDispatcher;
  request: EmuRequest;
  caller: Caller | undefined;
  now: number;
}

const ID_PATTERN = /^[0-9]{1,19}$/;

function callerUser(context: ApiContext): EmuUser {
  const user = context.caller?.userId ? context.state.users.get(context.caller.userId) : undefined;
  if (!user)
    throw new HttpError(json(401, problemBody(401, 'about:blank', 'Unauthorized', 'Unauthorized')));
  return user;
}

function fromPreset(
  name: FaultPresetName,
  context: ApiContext,
  endpoint: EndpointKey,
  resourceId?: string,
): EmuReply {
  const outcome = presetOutcome(name, {
    endpoint,
    nowMs: context.now,
    rateHeaders: {},
    resourceId,
  });
  if (outcome.kind !== 'response') throw new Error(`Preset ${name} has no plain response.`);
  return {
    status: outcome.status,
    body: outcome.body,
    headers: outcome.headers,
    contentType: outcome.contentType,
  };
}

function requireId(value: string, parameter: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          parameter,
          value,
          `The \`${parameter}\` query parameter value [${value}] does not match ^[0-9]{1,19}$`,
        ),
      ),
    );
  }
  return value;
}

function maxResults(query: URLSearchParams, min: number, max: number, fallback: number): number {
  const raw = query.get('max_results');
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          'max_results',
          raw,
          `The \`max_results\` query parameter value [${raw}] is not between ${min} and ${max}`,
        ),
      ),
    );
  }
  return value;
}

function cursorOf(query: URLSearchParams, parameters: string[]): number | undefined {
  for (const parameter of parameters) {
    const token = query.get(parameter);
    if (token === null) continue;
    const seq = decodePaginationToken(token);
    if (seq === undefined) {
      throw new HttpError(
        json(
          400,
          invalidRequestBody(
            parameter,
            token,
            `The \`${parameter}\` query parameter value [${token}] is not valid`,
          ),
        ),
      );
    }
    return seq;
  }
  return undefined;
}

/** Newest-first page after the cursor; `next_token` points past the last item returned. */
function pageOf<T extends { seq: number }>(
  items: T[],
  cursor: number | undefined,
  size: number,
): { page: T[]; nextToken?: string } {
  const sorted = [...items]
    .sort((a, b) => b.seq - a.seq)
    .filter((item) => cursor === undefined || item.seq < cursor);
  const page = sorted.slice(0, size);
  const last = page[page.length - 1];
  return {
    page,
    nextToken: sorted.length > size && last ? encodePaginationToken(last.seq) : undefined,
  };
}

function userListReply(
  context: ApiContext,
  users: { seq: number; user: EmuUser }[],
  min: number,
  max: number,
  fallback: number,
): EmuReply {
  const { query } = context.request;
  const size = maxResults(query, min, max, fallback);
  const { page, nextToken } = pageOf(
    users.filter((entry) => !entry.user.suspended),
    cursorOf(query, ['pagination_token']),
    size,
  );
  const fields = requestedFields(query, 'user.fields');
  const body: Record<string, unknown> = {
    meta: { result_count: page.length, ...(nextToken ? { next_token: nextToken } : {}) },
  };
  if (page.length > 0)
    body.data = page.map((entry) =>
      renderUser(context.state, entry.user, context.caller?.userId, fields),
    );
  return json(200, body);
}

function postListReply(
  context: ApiContext,
  posts: EmuPost[],
  size: number,
  cursor: number | undefined,
): EmuReply {
  const { query } = context.request;
  const { page, nextToken } = pageOf(posts, cursor, size);
  const fields = requestedFields(query, 'tweet.fields');
  const body: Record<string, unknown> = {};
  if (page.length > 0) {
    body.data = page.map((post) => renderPost(context.state, post, fields));
    const expansions = requestedFields(query, 'expansions');
    if (expansions.has('author_id')) {
      const userFields = requestedFields(query, 'user.fields');
      const authors = [...new Set(page.map((post) => post.authorId))]
        .map((id) => context.state.users.get(id))
        .filter((user): user is EmuUser => user !== undefined)
        .map((user) => renderUser(context.state, user, context.caller?.userId, userFields));
      body.includes = { users: authors };
    }
  }
  const newest = page[0];
  const oldest = page[page.length - 1];
  body.meta = {
    result_count: page.length,
    ...(newest ? { newest_id: newest.id } : {}),
    ...(oldest ? { oldest_id: oldest.id } : {}),
    ...(nextToken ? { next_token: nextToken } : {}),
  };
  return json(200, body);
}

function notAuthorizedTimeline(): EmuReply {
  // What X answers for a protected account's timeline: not a problem with the caller's token.
  return json(401, { error: 'Not authorized.' });
}

function targetUserOr200Error(context: ApiContext, id: string): EmuUser | EmuReply {
  const user = context.state.users.get(id);
  if (!user || user.suspended) return json(200, { errors: [userLookupError(user, id, 'id')] });
  return user;
}

function visiblePost(context: ApiContext, id: string): EmuPost | EmuReply {
  const post = context.state.posts.get(id);
  if (!post || !context.state.canSeePost(context.caller?.userId, post))
    return json(200, { errors: [postLookupError(id)] });
  return post;
}

function sinceIdFilter(query: URLSearchParams): (post: EmuPost) => boolean {
  const sinceId = query.get('since_id');
  if (sinceId === null) return () => true;
  requireId(sinceId, 'since_id');
  return (post) => BigInt(post.id) > BigInt(sinceId);
}

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

const sendDm: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/messages$/,
  endpoint: 'dm.send',
  auth: 'user',
  scopes: ['dm.write'],
  resourceParam: 'participant_id',
  handle(context) {
    const sender = callerUser(context);
    const participantId = requireId(context.request.params.participant_id ?? '', 'participant_id');
    const body = (context.request.json ?? {}) as { text?: unknown };
    const text = typeof body.text === 'string' ? body.text : '';
    const textProblem = context.state.validateText('dm', text);
    if (textProblem === 'empty') {
      return json(
        400,
        invalidRequestBody('text', text, 'The `text` field must be a non-empty string.'),
      );
    }
    if (textProblem === 'too_long') {
      return json(
        400,
        invalidRequestBody('text', '…', 'Text exceeds the maximum length of 10000 characters.'),
      );
    }
    const recipient = context.state.users.get(participantId);
    if (!recipient) {
      return json(
        404,
        problemBody(
          404,
          'resource-not-found',
          'Not Found Error',
          `Could not find user with participant_id: [${participantId}].`,
          {
            resource_type: 'user',
            resource_id: participantId,
            parameter: 'participant_id',
            value: participantId,
          },
        ),
      );
    }
    if (recipient.id === sender.id) return fromPreset('not_permitted', context, 'dm.send');
    const refusal = context.state.dmRefusal(sender, recipient);
    if (refusal === 'verified_only') {
      return json(
        403,
        problemBody(
          403,
          'about:blank',
          'Forbidden',
          'You cannot send messages to this user. They accept messages only from verified accounts.',
        ),
      );
    }
    if (refusal) return fromPreset(refusal as FaultPresetName, context, 'dm.send', participantId);
    const limit = sender.dmDailyLimit ?? context.state.dmDailyLimit;
    if (context.state.dmsSentToday(sender.id) >= limit) {
      return json(
        403,
        problemBody(
          403,
          'about:blank',
          'Forbidden',
          'You have reached your daily limit for sending messages. Please try again later.',
        ),
      );
    }
    const conversationId = context.state.conversationIdFor(sender.id, recipient.id);
    const previous = context.state.lastDmInConversation(conversationId, sender.id);
    if (
      previous &&
      previous.text === text &&
      context.now - previous.createdAtMs < DUPLICATE_WINDOW_MS
    ) {
      return fromPreset('dm_already_said', context, 'dm.send');
    }
    const dm = context.state.createDm({ from: sender.id, to: recipient.id, text, viaApi: true });
    return json(201, { data: { dm_conversation_id: dm.conversationId, dm_event_id: dm.id } });
  },
};

const listDmEvents: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/dm_events$/,
  endpoint: 'dm.events',
  auth: 'user',
  scopes: ['dm.read'],
  handle(context) {
    const me = callerUser(context);
    const participantId = requireId(context.request.params.participant_id ?? '', 'participant_id');
    const { query } = context.request;
    const size = maxResults(query, 1, 100, 100);
    const types = requestedFields(query, 'event_types');
    const conversationId = context.state.conversationIdFor(me.id, participantId);
    const events =
      types.size === 0 || types.has('MessageCreate')
        ? context.state.dms.filter((dm) => dm.conversationId === conversationId)
        : [];
    const { page, nextToken } = pageOf(events, cursorOf(query, ['pagination_token']), size);
    const fields = requestedFields(query, 'dm_event.fields');
    const body: Record<string, unknown> = {};
    if (page.length > 0) {
      body.data = page.map((dm) => renderDmEvent(dm, fields));
      if (requestedFields(query, 'expansions').has('sender_id')) {
        const userFields = requestedFields(query, 'user.fields');
        body.includes = {
          users: [...new Set(page.map((dm) => dm.senderId))]
            .map((id) => context.state.users.get(id))
            .filter((u): u is EmuUser => u !== undefined)
            .map((u) => renderUser(context.state, u, me.id, userFields)),
        };
      }
    }
    body.meta = { result_count: page.length, ...(nextToken ? { next_token: nextToken } : {}) };
    return json(200, body);
  },
};

const createPost: ApiRoute = {
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

const lookupPost: ApiRoute = {
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

/** Engagements paired with their users, dropping users the world no longer has. */
function knownUsers(
  context: Parameters<ApiRoute['handle']>[0],
  engagements: { seq: number; userId: string }[],
): { seq: number; user: EmuUser }[] {
  return engagements.flatMap(({ seq, userId }) => {
    const user = context.state.users.get(userId);
    return user ? [{ seq, user }] : [];
  });
}

const retweetedBy: ApiRoute = {
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

const likingUsers: ApiRoute = {
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

const quoteTweets: ApiRoute = {
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

function followList(direction: 'followers' | 'following'): ApiRoute {
  return {
    method: 'GET',
    pattern: new RegExp(`^/2/users/([^/]+)/${direction}$`),
    endpoint: direction === 'followers' ? 'users.followers' : 'users.following',
    auth: 'any',
    scopes: ['follows.read'],
    handle(context) {
      const target = targetUserOr200Error(
        context,
        requireId(context.request.params.id ?? '', 'id'),
      );
      if (!('username' in target)) return target;
      if (!context.state.canSeeUserContent(context.caller?.userId, target))
        return notAuthorizedTimeline();
      const entries = context.state.follows
        .filter((f) =>
          direction === 'followers' ? f.followeeId === target.id : f.followerId === target.id,
        )
        .map((f) => ({
          seq: f.seq,
          userId: direction === 'followers' ? f.followerId : f.followeeId,
        }));
      return userListReply(context, knownUsers(context, entries), 1, 1000, 100);
    },
  };
}

const mentions: ApiRoute = {
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

const searchRecent: ApiRoute = {
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

function renderUsersLookup(
  context: ApiContext,
  refs: string[],
  parameter: 'ids' | 'usernames',
): EmuReply {
  const fields = requestedFields(context.request.query, 'user.fields');
  const data: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const ref of refs) {
    const user = parameter === 'ids' ? context.state.users.get(ref) : context.state.user(ref);
    if (!user || user.suspended) errors.push(userLookupError(user, ref, parameter));
    else data.push(renderUser(context.state, user, context.caller?.userId, fields));
  }
  return json(200, {
    ...(data.length > 0 ? { data } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  });
}

const usersMe: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/me$/,
  endpoint: 'users.me',
  auth: 'user',
  handle(context) {
    const me = callerUser(context);
    return json(200, {
      data: renderUser(
        context.state,
        me,
        me.id,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};

const usersByIds: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const ids = (context.request.query.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100)
      return json(
        400,
        invalidRequestBody('ids', '', 'The `ids` query parameter needs 1 to 100 ids'),
      );
    ids.forEach((id) => requireId(id, 'ids'));
    return renderUsersLookup(context, ids, 'ids');
  },
};

const usersByUsernames: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/by$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const usernames = (context.request.query.get('usernames') ?? '').split(',').filter(Boolean);
    if (usernames.length === 0 || usernames.length > 100) {
      return json(
        400,
        invalidRequestBody(
          'usernames',
          '',
          'The `usernames` query parameter needs 1 to 100 usernames',
        ),
      );
    }
    return renderUsersLookup(context, usernames, 'usernames');
  },
};

const userByUsername: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/by\/username\/([^/]+)$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const username = context.request.params.username ?? '';
    const user = context.state.user(username);
    if (!user || user.suspended)
      return json(200, { errors: [userLookupError(user, username, 'username')] });
    return json(200, {
      data: renderUser(
        context.state,
        user,
        context.caller?.userId,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};

const userById: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/users\/([^/]+)$/,
  endpoint: 'users.lookup',
  auth: 'any',
  handle(context) {
    const id = requireId(context.request.params.id ?? '', 'id');
    const user = targetUserOr200Error(context, id);
    if (!('username' in user)) return user;
    return json(200, {
      data: renderUser(
        context.state,
        user,
        context.caller?.userId,
        requestedFields(context.request.query, 'user.fields'),
      ),
    });
  },
};

function formOrJson(request: EmuRequest): Record<string, string> {
  if (request.form) return Object.fromEntries(request.form);
  const body = request.json;
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

function oauthError(status: number, error: string, description: string): EmuReply {
  return json(status, { error, error_description: description });
}

/**
 * Confidential clients authenticate with Basic auth (or client_secret in the body); a public
 * client names itself with client_id. Answers the client id, or X's refusal.
 */
function authenticateClient(
  context: ApiContext,
  params: Record<string, string>,
): { clientId: string } | { reply: EmuReply } {
  const { app } = context.state;
  const header = String(context.request.headers.authorization ?? '');
  let id: string | undefined;
  let secret: string | undefined;
  if (header.startsWith('Basic ')) {
    [id, secret] = Buffer.from(header.slice(6), 'base64')
      .toString('utf8')
      .split(':')
      .map(decodeURIComponent);
  } else if (params.client_id) {
    id = params.client_id;
    secret = params.client_secret;
  } else {
    return { reply: oauthError(401, 'unauthorized_client', 'Missing valid authorization header') };
  }
  if (id !== app.clientId || (app.clientSecret !== undefined && secret !== app.clientSecret)) {
    return { reply: oauthError(401, 'invalid_client', 'Client authentication failed.') };
  }
  return { clientId: id };
}

function tokenAnswer(
  userId: string,
  scopes: string[],
  context: ApiContext,
  withRefresh: boolean,
): EmuReply {
  const pair = context.state.issueOAuth2Pair(userId, scopes);
  return json(200, {
    token_type: 'bearer',
    expires_in: pair.expiresIn,
    access_token: pair.accessToken,
    scope: scopes.join(' '),
    ...(withRefresh ? { refresh_token: pair.refreshToken } : {}),
  });
}

const oauth2Token: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/oauth2\/token$/,
  endpoint: 'oauth2.token',
  auth: 'client',
  handle(context) {
    const params = formOrJson(context.request);
    const client = authenticateClient(context, params);
    if ('reply' in client) return client.reply;
    if (params.grant_type === 'authorization_code') {
      const redeemed = redeemAuthorizationCode(context.state, params, client.clientId, context.now);
      if (!redeemed.ok) return oauthError(400, redeemed.error, redeemed.description);
      // X grants a refresh token only with offline.access.
      const offline = redeemed.scopes.includes('offline.access');
      return tokenAnswer(redeemed.userId, redeemed.scopes, context, offline);
    }
    if (params.grant_type !== 'refresh_token') {
      return oauthError(
        400,
        params.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        params.grant_type
          ? `The grant type ${params.grant_type} is not supported.`
          : 'Missing required parameter [grant_type].',
      );
    }
    const record = params.refresh_token
      ? context.state.refreshTokens.get(params.refresh_token)
      : undefined;
    if (!record || record.used || record.revoked) {
      return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
    }
    // Rotation: the refresh token is spent now; only the new one works from here on.
    record.used = true;
    return tokenAnswer(record.userId, record.scopes, context, true);
  },
};

const oauth2Revoke: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/oauth2\/revoke$/,
  endpoint: 'oauth2.revoke',
  auth: 'client',
  handle(context) {
    const params = formOrJson(context.request);
    const client = authenticateClient(context, params);
    if ('reply' in client) return client.reply;
    const token = params.token ?? '';
    const refresh = context.state.refreshTokens.get(token);
    if (refresh) refresh.revoked = true;
    if (context.state.tokens.has(token)) context.state.revokeToken(token);
    return json(200, { revoked: true });
  },
};

// ---------------------------------------------------------------------------- webhooks and
// Account Activity subscriptions (one webhook config per app in the emulator)

const ACCOUNT_ACTIVITY_SCOPES = ['tweet.read', 'users.read', 'dm.read', 'dm.write'];
const REPLAY_MAX_AGE_MS = 5 * 24 * 60 * 60 * 1000;
const MINUTE_MS = 60_000;

function webhookNotFound(id: string): EmuReply {
  return json(
    404,
    problemBody(
      404,
      'resource-not-found',
      'Not Found Error',
      `Could not find webhook with id: [${id}].`,
      {
        resource_type: 'webhook',
        resource_id: id,
        parameter: 'webhook_id',
        value: id,
      },
    ),
  );
}

function webhookMarkedInvalid(): EmuReply {
  return json(
    400,
    problemBody(
      400,
      'invalid-request',
      'Invalid Request',
      'Webhook has been marked as invalid. It needs to pass a CRC check (PUT /2/webhooks/:webhook_id) first.',
    ),
  );
}

/** The app's webhook config named in the path, or the 404 X gives for another id. */
function requireWebhook(context: ApiContext): { id: string } | EmuReply {
  const id = requireId(context.request.params.webhook_id ?? '', 'webhook_id');
  const config = context.webhooks.config();
  if (!config || config.id !== id) return webhookNotFound(id);
  return { id };
}

/** `yyyymmddhhmm` (UTC) to epoch ms, or undefined when it is not a real minute. */
function parseReplayDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(ms);
  return back.getUTCMonth() === month - 1 && back.getUTCDate() === day && hour < 24 && minute < 60
    ? ms
    : undefined;
}

function replayDateParameter(query: URLSearchParams, name: 'from_date' | 'to_date'): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    throw new HttpError(
      json(400, invalidRequestBody(name, '', `The \`${name}\` query parameter can not be empty`)),
    );
  }
  const ms = parseReplayDate(raw);
  if (ms === undefined) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          name,
          raw,
          `The \`${name}\` query parameter value [${raw}] does not match ^\\d{12}$ (yyyymmddhhmm, UTC)`,
        ),
      ),
    );
  }
  return ms;
}

const listWebhooks: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/webhooks$/,
  endpoint: 'webhooks.list',
  // X documents app-only Bearer; the emulator also accepts the sender's user context.
  auth: 'any',
  handle(context) {
    const config = context.webhooks.config();
    if (!config) return json(200, { meta: { result_count: 0 } });
    return json(200, {
      data: [{ id: config.id, url: config.url, valid: config.valid, created_at: config.createdAt }],
      meta: { result_count: 1 },
    });
  },
};

const validateWebhook: ApiRoute = {
  method: 'PUT',
  pattern: /^\/2\/webhooks\/([^/]+)$/,
  endpoint: 'webhooks.validate',
  auth: 'any',
  resourceParam: 'webhook_id',
  async handle(context) {
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    const crc = await context.webhooks.checkCrc();
    return json(200, { data: { valid: crc.valid } });
  },
};

const subscriptionStatus: ApiRoute = {
  method: 'GET',
  pattern: /^\/2\/account_activity\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.subscription',
  auth: 'user',
  scopes: ACCOUNT_ACTIVITY_SCOPES,
  resourceParam: 'webhook_id',
  handle(context) {
    const me = callerUser(context);
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    return json(200, { data: { subscribed: context.state.isSubscribed(me.id) } });
  },
};

const subscribe: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/account_activity\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.subscribe',
  auth: 'user',
  scopes: ACCOUNT_ACTIVITY_SCOPES,
  resourceParam: 'webhook_id',
  handle(context) {
    const me = callerUser(context);
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    if (!context.webhooks.valid) return webhookMarkedInvalid();
    context.state.subscribe(me.id);
    return json(200, { data: { subscribed: true } });
  },
};

const createReplayJob: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/account_activity\/replay\/webhooks\/([^/]+)\/subscriptions\/all$/,
  endpoint: 'account_activity.replay',
  auth: 'any',
  resourceParam: 'webhook_id',
  handle(context) {
    const webhook = requireWebhook(context);
    if ('status' in webhook) return webhook;
    const { query } = context.request;
    const fromMs = replayDateParameter(query, 'from_date');
    const toMs = replayDateParameter(query, 'to_date');
    if (toMs <= fromMs) {
      return json(
        400,
        invalidRequestBody(
          'to_date',
          query.get('to_date') ?? '',
          'The `to_date` query parameter must be later than `from_date`',
        ),
      );
    }
    const oldest = Math.floor((context.now - REPLAY_MAX_AGE_MS) / MINUTE_MS) * MINUTE_MS;
    if (fromMs < oldest) {
      return json(
        400,
        invalidRequestBody(
          'from_date',
          query.get('from_date') ?? '',
          'The `from_date` query parameter must be within the last 5 days',
        ),
      );
    }
    const job = context.webhooks.startReplay(context.state, fromMs, toMs);
    if (!job) return webhookMarkedInvalid();
    // X's spec (2.159) answers the job at the top level, without a `data` wrapper.
    return json(200, { job_id: job.jobId, created_at: job.createdAt });
  },
};

export const apiRoutes: ApiRoute[] = [
  sendDm,
  listDmEvents,
  searchRecent,
  retweetedBy,
  likingUsers,
  quoteTweets,
  lookupPost,
  createPost,
  followList('followers'),
  followList('following'),
  mentions,
  usersMe,
  usersByUsernames,
  userByUsername,
  usersByIds,
  userById,
  oauth2Token,
  oauth2Revoke,
  listWebhooks,
  validateWebhook,
  subscriptionStatus,
  subscribe,
  createReplayJob,
];

const paramNames: [RegExp, string[]][] = [
  [/^\/2\/dm_conversations\/with\//, ['participant_id']],
  [/^\/2\/users\/by\/username\//, ['username']],
  [/^\/2\/webhooks\//, ['webhook_id']],
  [/^\/2\/account_activity\//, ['webhook_id']],
];

/** Finds the route and its path parameters (`id`, `participant_id`, `username`, `webhook_id`). */
export function matchApiRoute(
  method: string,
  path: string,
): { route: ApiRoute; params: Record<string, string> } | undefined {
  for (const route of apiRoutes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const names = paramNames.find(([prefix]) => prefix.test(path))?.[1] ?? ['id'];
    const params: Record<string, string> = {};
    match.slice(1).forEach((value, index) => {
      params[names[index] ?? `p${index}`] = decodeURIComponent(value ?? '');
    });
    return { route, params };
  }
  return undefined;
}

export function notFoundReply(): EmuReply {
  return json(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
}

export function unsupportedAuthenticationReply(): EmuReply {
  return json(
    403,
    problemBody(
      403,
      'unsupported-authentication',
      'Unsupported Authentication',
      'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
    ),
  );
}

export { PROBLEM_X };
