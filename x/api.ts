/**
 * The X API v2 calls Kuji makes, through twitter-api-v2's generic `get`/`post` with the full
 * response (so every answer carries its rate-limit headers). Answers are mapped to camelCase at
 * this boundary; failures become `XCallError` with the classified `XError`. Webhooks, subscriptions
 * and replay jobs (Account Activity) are in `account-activity.ts`.
 */
import type { TwitterApi, TwitterRateLimit } from 'twitter-api-v2';
import type { XError, XOperation } from '../domain/x-errors';
import { answerRecorder, hasText, partialErrorsOf, usableData, XCallError } from './answer';
import { classifyXResponseError, rawResponseForLog, toXFailureInput } from './classify-response';

export { XCallError } from './answer';

export interface XRateWindow {
  limit: number;
  remaining: number;
  /** ISO instant of the reset. */
  resetAt: string;
}

export interface XRateLimit extends XRateWindow {
  userDay?: XRateWindow;
  appDay?: XRateWindow;
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  createdAt?: string;
  protected?: boolean;
  verified?: boolean;
  verifiedType?: string;
  description?: string;
  /** Whether X says this account can DM the user (user-context calls only). */
  receivesYourDm?: boolean;
  followersCount?: number;
  followingCount?: number;
}

export interface XPost {
  id: string;
  text: string;
  authorId?: string;
  author?: XUser;
  createdAt?: string;
  conversationId?: string;
  inReplyToUserId?: string;
  referencedPosts?: { type: string; id: string }[];
  mentionedUsernames?: string[];
  hashtags?: string[];
}

export interface XDmEvent {
  id: string;
  eventType: string;
  text?: string;
  senderId?: string;
  createdAt?: string;
  dmConversationId?: string;
  participantIds?: string[];
}

export interface XPage<T> {
  items: T[];
  nextToken?: string;
  rateLimit?: XRateLimit;
  /** Problems X reported beside the data (suspended or missing items). */
  partialErrors: XError[];
  /** The redacted raw answer when X reported problems, for the log. */
  rawPartialErrors?: Record<string, unknown>;
  /** For reverse-chronological post lists: the newest id in the page. */
  newestId?: string;
}

export const userFields =
  'created_at,protected,verified,verified_type,description,public_metrics,receives_your_dm';
export const postFields =
  'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities';
export const dmEventFields =
  'id,text,event_type,created_at,sender_id,dm_conversation_id,participant_ids';

function windowOf(
  window: { limit: number; remaining: number; reset: number } | undefined,
): XRateWindow | undefined {
  if (!window || !Number.isFinite(window.limit) || !Number.isFinite(window.reset)) return undefined;
  return {
    limit: window.limit,
    remaining: window.remaining,
    resetAt: new Date(window.reset * 1000).toISOString(),
  };
}

export function toXRateLimit(rateLimit: TwitterRateLimit | undefined): XRateLimit | undefined {
  const main = windowOf(rateLimit);
  if (!main || !rateLimit) return undefined;
  const result: XRateLimit = { ...main };
  const userDay = windowOf(rateLimit.userDay);
  const appDay = windowOf(rateLimit.day);
  if (userDay) result.userDay = userDay;
  if (appDay) result.appDay = appDay;
  return result;
}

/** An X answer's object, before it is mapped. */
export type Json = Record<string, unknown>;

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

export function records(value: unknown): Json[] {
  return Array.isArray(value)
    ? value.filter((v): v is Json => Boolean(v) && typeof v === 'object')
    : [];
}

export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function mapUser(raw: Json): XUser {
  const metrics = (raw.public_metrics ?? {}) as Json;
  return definedOnly({
    id: String(raw.id),
    username: String(raw.username),
    name: String(raw.name ?? raw.username),
    createdAt: str(raw.created_at),
    protected: bool(raw.protected),
    verified: bool(raw.verified),
    verifiedType: str(raw.verified_type),
    description: str(raw.description),
    receivesYourDm: bool(raw.receives_your_dm),
    followersCount: num(metrics.followers_count),
    followingCount: num(metrics.following_count),
  });
}

export function mapPost(raw: Json, usersById: Map<string, XUser>): XPost {
  const entities = (raw.entities ?? {}) as Json;
  const authorId = str(raw.author_id);
  const mentions = records(entities.mentions)
    .map((m) => str(m.username))
    .filter((u): u is string => Boolean(u));
  const hashtags = records(entities.hashtags)
    .map((h) => str(h.tag))
    .filter((t): t is string => Boolean(t));
  const referenced = records(raw.referenced_tweets).map((r) => ({
    type: String(r.type),
    id: String(r.id),
  }));
  return definedOnly({
    id: String(raw.id),
    text: str(raw.text) ?? '',
    authorId,
    author: authorId ? usersById.get(authorId) : undefined,
    createdAt: str(raw.created_at),
    conversationId: str(raw.conversation_id),
    inReplyToUserId: str(raw.in_reply_to_user_id),
    referencedPosts: referenced.length > 0 ? referenced : undefined,
    mentionedUsernames: mentions.length > 0 ? mentions : undefined,
    hashtags: hashtags.length > 0 ? hashtags : undefined,
  });
}

export function mapDmEvent(raw: Json): XDmEvent {
  const participants = Array.isArray(raw.participant_ids)
    ? raw.participant_ids.map(String)
    : undefined;
  return definedOnly({
    id: String(raw.id),
    eventType: str(raw.event_type) ?? 'MessageCreate',
    text: str(raw.text),
    senderId: str(raw.sender_id),
    createdAt: str(raw.created_at),
    dmConversationId: str(raw.dm_conversation_id),
    participantIds: participants,
  });
}

function includedUsers(body: Json): Map<string, XUser> {
  const includes = (body.includes ?? {}) as Json;
  return new Map(records(includes.users).map((u) => [String(u.id), mapUser(u)]));
}

/** Runs one call and turns every failure into an XCallError (classified, with a redacted raw view). */
export async function callX<T>(
  operation: XOperation,
  run: () => Promise<T>,
  nowMs?: number,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof XCallError) throw error;
    const input = toXFailureInput(error, operation, nowMs);
    throw new XCallError(classifyXResponseError(error, operation, nowMs), rawResponseForLog(input));
  }
}

function isUser(data: Json): boolean {
  return hasText(data.id) && hasText(data.username);
}

export interface SentDm {
  dmConversationId: string;
  dmEventId: string;
  rateLimit?: XRateLimit;
  partialErrors: XError[];
  /** The redacted raw answer when X reported problems beside the sent DM, for the log. */
  rawPartialErrors?: Record<string, unknown>;
}

export async function sendDm(
  client: TwitterApi,
  participantId: string,
  text: string,
): Promise<SentDm> {
  return callX('dm_send', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.post<Json>(
      'dm_conversations/with/:participant_id/messages',
      { text },
      { params: { participant_id: participantId }, fullResponse: true, ...recorder.options },
    );
    const answer = recorder.answer(response);
    // Without an event id nothing proves the DM was sent: a refusal, never a success.
    const data = usableData(
      answer,
      'dm_send',
      (d) => hasText(d.dm_event_id) && hasText(d.dm_conversation_id),
    );
    return {
      dmConversationId: String(data.dm_conversation_id),
      dmEventId: String(data.dm_event_id),
      rateLimit: toXRateLimit(response.rateLimit),
      ...partialErrorsOf(answer, 'dm_send'),
    };
  });
}

export interface CreatedPost {
  postId: string;
  text: string;
  rateLimit?: XRateLimit;
}

export async function createReply(
  client: TwitterApi,
  text: string,
  inReplyToPostId: string,
): Promise<CreatedPost> {
  return callX('post_create', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.post<Json>(
      'tweets',
      { text, reply: { in_reply_to_tweet_id: inReplyToPostId } },
      { fullResponse: true, ...recorder.options },
    );
    const data = usableData(recorder.answer(response), 'post_create', (d) => hasText(d.id));
    return {
      postId: String(data.id),
      text: str(data.text) ?? text,
      rateLimit: toXRateLimit(response.rateLimit),
    };
  });
}

export type PageKind =
  | 'reposters'
  | 'likers'
  | 'quotes'
  | 'followers'
  | 'following'
  | 'mentions'
  | 'search'
  | 'dm_events'
  | 'account_dm_events';

export interface PageRequest {
  kind: PageKind;
  /** Post id, user id, participant id or search query, by kind. */
  subject: string;
  paginationToken?: string;
  maxResults?: number;
  sinceId?: string;
}

interface PageSpec {
  path: string;
  params?: (subject: string) => Record<string, string>;
  query: Record<string, string>;
  tokenParam: 'pagination_token' | 'next_token';
  maxResults: number;
  items: 'users' | 'posts' | 'dm_events';
  operation: XOperation;
}

const postQuery = {
  'tweet.fields': postFields,
  expansions: 'author_id',
  'user.fields': userFields,
};

const pageSpecs: Record<PageKind, PageSpec> = {
  reposters: {
    path: 'tweets/:id/retweeted_by',
    params: (id) => ({ id }),
    query: { 'user.fields': userFields },
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'users',
    operation: 'read',
  },
  likers: {
    path: 'tweets/:id/liking_users',
    params: (id) => ({ id }),
    query: { 'user.fields': userFields },
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'users',
    operation: 'read',
  },
  quotes: {
    path: 'tweets/:id/quote_tweets',
    params: (id) => ({ id }),
    query: postQuery,
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'posts',
    operation: 'read',
  },
  followers: {
    path: 'users/:id/followers',
    params: (id) => ({ id }),
    query: { 'user.fields': userFields },
    tokenParam: 'pagination_token',
    maxResults: 1000,
    items: 'users',
    operation: 'read',
  },
  following: {
    path: 'users/:id/following',
    params: (id) => ({ id }),
    query: { 'user.fields': userFields },
    tokenParam: 'pagination_token',
    maxResults: 1000,
    items: 'users',
    operation: 'read',
  },
  mentions: {
    path: 'users/:id/mentions',
    params: (id) => ({ id }),
    query: postQuery,
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'posts',
    operation: 'read',
  },
  search: {
    path: 'tweets/search/recent',
    query: postQuery,
    tokenParam: 'next_token',
    maxResults: 100,
    items: 'posts',
    operation: 'read',
  },
  dm_events: {
    path: 'dm_conversations/with/:participant_id/dm_events',
    params: (participant_id) => ({ participant_id }),
    query: { 'dm_event.fields': dmEventFields, event_types: 'MessageCreate' },
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'dm_events',
    operation: 'dm_read',
  },
  // Every conversation of the account (`subject` unused): keyword DMs when no webhook delivers.
  account_dm_events: {
    path: 'dm_events',
    query: { 'dm_event.fields': dmEventFields, event_types: 'MessageCreate' },
    tokenParam: 'pagination_token',
    maxResults: 100,
    items: 'dm_events',
    operation: 'dm_read',
  },
};

export async function readPage<T extends XUser | XPost | XDmEvent>(
  client: TwitterApi,
  request: PageRequest,
): Promise<XPage<T>> {
  const spec = pageSpecs[request.kind];
  const query: Record<string, string> = {
    ...spec.query,
    max_results: String(Math.min(request.maxResults ?? spec.maxResults, spec.maxResults)),
  };
  if (request.kind === 'search') query.query = request.subject;
  if (request.paginationToken) query[spec.tokenParam] = request.paginationToken;
  if (request.sinceId && (request.kind === 'search' || request.kind === 'mentions'))
    query.since_id = request.sinceId;
  return callX(spec.operation, async () => {
    const recorder = answerRecorder();
    const response = await client.v2.get<Json>(spec.path, query, {
      params: spec.params?.(request.subject),
      fullResponse: true,
      ...recorder.options,
    });
    const answer = recorder.answer(response);
    const body = answer.body;
    // An empty list comes with `meta`; errors alone mean X refused the list itself (its subject
    // is missing, suspended or hidden), which is never an empty success.
    if (body.data === undefined && body.meta === undefined)
      usableData(answer, spec.operation, () => false);
    const meta = (body.meta ?? {}) as Json;
    const users = includedUsers(body);
    const rows = records(body.data);
    const items = rows.map((row) => {
      if (spec.items === 'users') return mapUser(row);
      if (spec.items === 'posts') return mapPost(row, users);
      return mapDmEvent(row);
    }) as T[];
    return {
      items,
      nextToken: str(meta.next_token),
      newestId: str(meta.newest_id),
      rateLimit: toXRateLimit(response.rateLimit),
      ...partialErrorsOf(answer, spec.operation),
    };
  });
}

export async function getMe(client: TwitterApi): Promise<{ user: XUser; rateLimit?: XRateLimit }> {
  return callX('user_lookup', async () => {
    const recorder = answerRecorder();
    const response = await client.v2.get<Json>(
      'users/me',
      { 'user.fields': userFields },
      { fullResponse: true, ...recorder.options },
    );
    const data = usableData(recorder.answer(response), 'user_lookup', isUser);
    return { user: mapUser(data), rateLimit: toXRateLimit(response.rateLimit) };
  });
}

export async function getUser(
  client: TwitterApi,
  by: { id: string } | { username: string },
): Promise<{ user: XUser; rateLimit?: XRateLimit }> {
  return callX('user_lookup', async () => {
    const recorder = answerRecorder();
    const response =
      'id' in by
        ? await client.v2.get<Json>(
            'users/:id',
            { 'user.fields': userFields },
            { params: { id: by.id }, fullResponse: true, ...recorder.options },
          )
        : await client.v2.get<Json>(
            'users/by/username/:username',
            { 'user.fields': userFields },
            { params: { username: by.username }, fullResponse: true, ...recorder.options },
          );
    const data = usableData(recorder.answer(response), 'user_lookup', isUser);
    return { user: mapUser(data), rateLimit: toXRateLimit(response.rateLimit) };
  });
}

/** Up to 100 users per call; users X cannot return come back as classified partial errors. */
export async function lookupUsers(
  client: TwitterApi,
  by: { ids: string[] } | { usernames: string[] },
): Promise<XPage<XUser>> {
  return callX('user_lookup', async () => {
    const recorder = answerRecorder();
    const response =
      'ids' in by
        ? await client.v2.get<Json>(
            'users',
            { ids: by.ids.join(','), 'user.fields': userFields },
            { fullResponse: true, ...recorder.options },
          )
        : await client.v2.get<Json>(
            'users/by',
            { usernames: by.usernames.join(','), 'user.fields': userFields },
            { fullResponse: true, ...recorder.options },
          );
    const answer = recorder.answer(response);
    const items = records(answer.body.data).map(mapUser);
    // No user and no error naming one: the request itself was refused, and a refused lookup
    // must not read as "nobody is protected or suspended".
    const namesAnyone = (Array.isArray(answer.body.errors) ? answer.body.errors : []).some(
      (error: unknown) =>
        typeof error === 'object' && error !== null && ('resource_id' in error || 'value' in error),
    );
    if (items.length === 0 && !namesAnyone) usableData(answer, 'user_lookup', () => false);
    return {
      items,
      rateLimit: toXRateLimit(response.rateLimit),
      ...partialErrorsOf(answer, 'user_lookup'),
    };
  });
}
