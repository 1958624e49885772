/**
 * X's response shapes: objects with the default fields plus the ones asked for (`user.fields`,
 * `tweet.fields`, `dm_event.fields`), `includes` for expansions, `meta` with pagination tokens,
 * and problem bodies. Error bodies take the Problem shapes of X's OpenAPI document
 * (x/openapi/openapi.json: `https://api.x.com/2/problems/…` with `title`, `detail`, `type`, `status`
 * and the fields each type requires) wherever it defines one; `about:blank` and the legacy
 * `{ errors: [{ code, message }] }` answers remain only where X sends those and the spec has none.
 */
import {
  hashtagEntities,
  mentionEntities,
  type EmuDm,
  type EmuPost,
  type EmuUser,
  type EmulatorState,
} from './state';

export const PROBLEM_X = 'https://api.x.com/2/problems/';
export const PROBLEM_TWITTER = 'https://api.twitter.com/2/problems/';

export function requestedFields(query: URLSearchParams, name: string): Set<string> {
  return new Set(
    (query.get(name) ?? '')
      .split(',')
      .map((field) => field.trim())
      .filter(Boolean),
  );
}

export function renderUser(
  state: EmulatorState,
  user: EmuUser,
  viewerId: string | undefined,
  fields: Set<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id, name: user.name, username: user.username };
  if (fields.has('created_at')) out.created_at = new Date(user.createdAtMs).toISOString();
  if (fields.has('protected')) out.protected = user.protected;
  if (fields.has('verified')) out.verified = user.verified;
  if (fields.has('verified_type')) out.verified_type = user.verified ? 'blue' : 'none';
  if (fields.has('description')) out.description = user.description;
  if (fields.has('public_metrics')) {
    out.public_metrics = {
      followers_count: state.followersCount(user.id),
      following_count: state.followingCount(user.id),
      tweet_count: state.posts.postsBy(user.id),
      listed_count: 0,
      like_count: state.likesBy(user.id),
    };
  }
  if (fields.has('receives_your_dm') && viewerId) {
    const viewer = state.users.get(viewerId);
    out.receives_your_dm =
      viewer !== undefined && viewer.id !== user.id && state.dmRefusal(viewer, user) === undefined;
  }
  return out;
}

export function renderPost(
  state: EmulatorState,
  post: EmuPost,
  fields: Set<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: post.id,
    text: post.text,
    edit_history_tweet_ids: [post.id],
  };
  if (fields.has('created_at')) out.created_at = new Date(post.createdAtMs).toISOString();
  if (fields.has('author_id')) out.author_id = post.authorId;
  if (fields.has('conversation_id')) out.conversation_id = post.conversationId;
  if (fields.has('in_reply_to_user_id') && post.inReplyToUserId)
    out.in_reply_to_user_id = post.inReplyToUserId;
  if (fields.has('reply_settings')) out.reply_settings = post.replySettings;
  if (fields.has('referenced_tweets')) {
    const referenced: { type: string; id: string }[] = [];
    if (post.inReplyToPostId) referenced.push({ type: 'replied_to', id: post.inReplyToPostId });
    if (post.quotedPostId) referenced.push({ type: 'quoted', id: post.quotedPostId });
    if (post.repostOfId) referenced.push({ type: 'retweeted', id: post.repostOfId });
    if (referenced.length > 0) out.referenced_tweets = referenced;
  }
  if (fields.has('entities')) {
    const mentions = mentionEntities(post.text).map((m) => ({
      ...m,
      id: state.user(m.username)?.id,
    }));
    const hashtags = hashtagEntities(post.text);
    if (mentions.length > 0 || hashtags.length > 0) {
      out.entities = {
        ...(mentions.length ? { mentions } : {}),
        ...(hashtags.length ? { hashtags } : {}),
      };
    }
  }
  if (fields.has('public_metrics')) {
    out.public_metrics = {
      retweet_count: state.posts.repostsOf(post.id),
      reply_count: state.posts.repliesTo(post.id),
      like_count: state.likesOf(post.id),
      quote_count: state.posts.quotesOf(post.id),
      bookmark_count: 0,
      impression_count: 0,
    };
  }
  return out;
}

export function renderDmEvent(dm: EmuDm, fields: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: dm.id, event_type: 'MessageCreate', text: dm.text };
  if (fields.has('created_at')) out.created_at = new Date(dm.createdAtMs).toISOString();
  if (fields.has('sender_id')) out.sender_id = dm.senderId;
  if (fields.has('dm_conversation_id')) out.dm_conversation_id = dm.conversationId;
  if (fields.has('participant_ids')) out.participant_ids = [dm.senderId, dm.recipientId];
  return out;
}

/** Pagination tokens are opaque base32hex strings (min. 16 characters) holding a position. */
export function encodePaginationToken(seq: number): string {
  return `p${seq.toString(32).padStart(15, '0')}`;
}

export function decodePaginationToken(token: string): number | undefined {
  if (!/^p[0-9a-v]{15}$/.test(token)) return undefined;
  const seq = parseInt(token.slice(1), 32);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

export function problemBody(
  status: number,
  slug: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  prefix = PROBLEM_X,
): Record<string, unknown> {
  return {
    title,
    detail,
    type: slug === 'about:blank' ? 'about:blank' : `${prefix}${slug}`,
    status,
    ...extra,
  };
}

export function invalidRequestBody(
  parameter: string,
  value: string,
  message: string,
): Record<string, unknown> {
  return {
    errors: [{ parameters: { [parameter]: [value] }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM_X}invalid-request`,
    status: 400,
  };
}

/** The partial error X puts in a 200 for a user it cannot return. */
export function userLookupError(
  user: EmuUser | undefined,
  value: string,
  parameter: string,
): Record<string, unknown> {
  if (user?.suspended) {
    return {
      value,
      detail: `User has been suspended: [${value}].`,
      title: 'Forbidden',
      resource_type: 'user',
      parameter,
      resource_id: value,
      type: `${PROBLEM_X}resource-not-found`,
    };
  }
  return {
    value,
    detail: `Could not find user with ${parameter === 'usernames' || parameter === 'username' ? 'username' : 'id'}: [${value}].`,
    title: 'Not Found Error',
    resource_type: 'user',
    parameter,
    resource_id: value,
    type: `${PROBLEM_X}resource-not-found`,
  };
}

export function postLookupError(value: string): Record<string, unknown> {
  return {
    value,
    detail: `Could not find tweet with id: [${value}].`,
    title: 'Not Found Error',
    resource_type: 'tweet',
    parameter: 'id',
    resource_id: value,
    type: `${PROBLEM_X}resource-not-found`,
  };
}
