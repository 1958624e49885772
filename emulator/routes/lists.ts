/**
 * The list answers X gives for users and posts (paged, newest first, suspended users dropped,
 * `includes.users` on request), and the lookups list routes start from.
 */
import { json, type EmuReply } from '../http';
import {
  postLookupError,
  renderPost,
  renderUser,
  requestedFields,
  userLookupError,
} from '../render';
import type { EmuPost, EmuUser } from '../state';
import { cursorOf, maxResults, pageOf, requireId, type ApiContext } from './context';

export function userListReply(
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

export function postListReply(
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

export function notAuthorizedTimeline(): EmuReply {
  // What X answers for a protected account's timeline: not a problem with the caller's token.
  return json(401, { error: 'Not authorized.' });
}

export function targetUserOr200Error(context: ApiContext, id: string): EmuUser | EmuReply {
  const user = context.state.users.get(id);
  if (!user || user.suspended) return json(200, { errors: [userLookupError(user, id, 'id')] });
  return user;
}

export function visiblePost(context: ApiContext, id: string): EmuPost | EmuReply {
  const post = context.state.posts.get(id);
  if (!post || !context.state.canSeePost(context.caller?.userId, post))
    return json(200, { errors: [postLookupError(id)] });
  return post;
}

export function sinceIdFilter(query: URLSearchParams): (post: EmuPost) => boolean {
  const sinceId = query.get('since_id');
  if (sinceId === null) return () => true;
  requireId(sinceId, 'since_id');
  return (post) => BigInt(post.id) > BigInt(sinceId);
}

/** Engagements paired with their users, dropping users the world no longer has. */
export function knownUsers(
  context: ApiContext,
  engagements: { seq: number; userId: string }[],
): { seq: number; user: EmuUser }[] {
  return engagements.flatMap(({ seq, userId }) => {
    const user = context.state.users.get(userId);
    return user ? [{ seq, user }] : [];
  });
}
