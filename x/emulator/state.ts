/**
 * The emulator's world: users, tokens, follows, blocks, posts (replies, quotes and reposts are
 * posts too, as on X), likes and DMs, with the rules X applies when one user acts on another.
 * Every change that X's Activity API reports is recorded as an event; subscribed users' events
 * are delivered to the webhook live, and any window of them can be replayed.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './clock';
import type { DmSetting, ParsedScenario } from './scenario';

export interface EmuUser {
  id: string;
  username: string;
  name: string;
  description: string;
  createdAtMs: number;
  protected: boolean;
  suspended: boolean;
  locked: boolean;
  automationFlagged: boolean;
  verified: boolean;
  phoneVerified: boolean;
  dmSetting: DmSetting;
  dmDailyLimit?: number;
}

export interface EmuPost {
  id: string;
  seq: number;
  authorId: string;
  text: string;
  createdAtMs: number;
  conversationId: string;
  inReplyToPostId?: string;
  inReplyToUserId?: string;
  quotedPostId?: string;
  repostOfId?: string;
  replySettings: 'everyone' | 'following' | 'mentionedUsers';
  /** Created through the API (not seeded or simulated). */
  viaApi: boolean;
}

export interface EmuLike {
  userId: string;
  postId: string;
  seq: number;
  atMs: number;
}

export interface EmuFollow {
  followerId: string;
  followeeId: string;
  seq: number;
  atMs: number;
}

export interface EmuDm {
  id: string;
  seq: number;
  conversationId: string;
  senderId: string;
  recipientId: string;
  text: string;
  createdAtMs: number;
  viaApi: boolean;
}

export type EmuToken =
  | {
      kind: 'oauth2';
      accessToken: string;
      userId: string;
      scopes: string[];
      expiresAtMs: number;
      revoked: boolean;
    }
  | { kind: 'oauth1'; accessToken: string; accessSecret: string; userId: string; revoked: boolean }
  | { kind: 'app'; accessToken: string; revoked: boolean };

export interface EmuRefreshToken {
  refreshToken: string;
  userId: string;
  scopes: string[];
  used: boolean;
  revoked: boolean;
}

export interface EmuApp {
  appId: string;
  consumerKey: string;
  consumerSecret: string;
  clientId: string;
  clientSecret?: string;
  tier: 'self_serve' | 'enterprise';
  tokenLifetimeSeconds: number;
  /** Callback URLs registered for OAuth 2.0 (exact match); undefined accepts any. */
  callbackUrls?: string[];
}

export interface EmuEvent {
  index: number;
  eventType: string;
  filterUserId?: string;
  atMs: number;
  payload: unknown;
  includes?: unknown;
  direction?: 'inbound' | 'outbound';
}

export class EmulatorError extends Error {
  override name = 'EmulatorError';
}

const TWITTER_EPOCH = 1288834974657n;
const SEEDED_USER_ID_BASE = 1_700_000_000_000_000_000n;

export const defaultApp: EmuApp = {
  appId: '29820954',
  consumerKey: 'emulator-consumer-key',
  consumerSecret: 'emulator-consumer-secret',
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
  tier: 'enterprise',
  tokenLifetimeSeconds: 7200,
};

function weightedLength(text: string): number {
  // X counts a URL as 23 and CJK (and most non-Latin) characters as 2.
  const withoutUrls = text.replace(/https?:\/\/\S+/g, '');
  const urls = (text.match(/https?:\/\/\S+/g) ?? []).length;
  let length = urls * 23;
  for (const char of withoutUrls) {
    const code = char.codePointAt(0) ?? 0;
    length +=
      code <= 0x10ff || (code >= 0x2000 && code <= 0x200d) || (code >= 0x2010 && code <= 0x201f)
        ? 1
        : 2;
  }
  return length;
}

export const POST_MAX_WEIGHTED_LENGTH = 280;
export const DM_MAX_LENGTH = 10_000;
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

export class EmulatorState {
  app: EmuApp = { ...defaultApp };
  users = new Map<string, EmuUser>();
  private usernames = new Map<string, string>();
  tokens = new Map<string, EmuToken>();
  refreshTokens = new Map<string, EmuRefreshToken>();
  follows: EmuFollow[] = [];
  blocks = new Set<string>();
  posts = new Map<string, EmuPost>();
  postKeys = new Map<string, string>();
  likes: EmuLike[] = [];
  dms: EmuDm[] = [];
  /** Every Activity API event, subscribed or not, with its time on the emulator clock. */
  events: EmuEvent[] = [];
  dmDailyLimit = 500;
  /** Users whose Activity API events are delivered; undefined = every user with a token. */
  subscriptions: Set<string> | undefined;

  /** Seeding a scenario builds the world as it already was: that is not news for the webhook. */
  private muted = false;
  private seq = 0;
  private idSequence = 0;
  private listeners: ((event: EmuEvent) => void)[] = [];

  constructor(readonly clock: EmulatorClock) {}

  onEvent(listener: (event: EmuEvent) => void): void {
    this.listeners.push(listener);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Snowflake-shaped ids: time-ordered like X's. */
  newId(atMs = this.clock.now()): string {
    this.idSequence = (this.idSequence + 1) & 0x3fffff;
    return (
      ((BigInt(Math.max(atMs, Number(TWITTER_EPOCH))) - TWITTER_EPOCH) << 22n) |
      BigInt(this.idSequence)
    ).toString();
  }

  newToken(prefix: string): string {
    return `${prefix}-${randomBytes(18).toString('base64url')}`;
  }

  // --------------------------------------------------------------------------- lookups

  user(ref: string): EmuUser | undefined {
    const byId = this.users.get(ref);
    if (byId) return byId;
    const id = this.usernames.get(ref.replace(/^@/, '').toLowerCase());
    return id ? this.users.get(id) : undefined;
  }

  requireUser(ref: string): EmuUser {
    const user = this.user(ref);
    if (!user) throw new EmulatorError(`Unknown user: ${ref}`);
    return user;
  }

  post(ref: string): EmuPost | undefined {
    return this.posts.get(ref) ?? this.posts.get(this.postKeys.get(ref) ?? '');
  }

  requirePost(ref: string): EmuPost {
    const post = this.post(ref);
    if (!post) throw new EmulatorError(`Unknown post: ${ref}`);
    return post;
  }

  isFollowing(followerId: string, followeeId: string): boolean {
    return this.follows.some((f) => f.followerId === followerId && f.followeeId === followeeId);
  }

  isBlocking(blockerId: string, blockedId: string): boolean {
    return this.blocks.has(`${blockerId}:${blockedId}`);
  }

  /** Can `viewerId` see this user's posts and lists? */
  canSeeUserContent(viewerId: string | undefined, owner: EmuUser): boolean {
    if (owner.suspended) return false;
    if (!owner.protected) return true;
    return (
      viewerId !== undefined && (viewerId === owner.id || this.isFollowing(viewerId, owner.id))
    );
  }

  canSeePost(viewerId: string | undefined, post: EmuPost): boolean {
    const author = this.users.get(post.authorId);
    return author !== undefined && this.canSeeUserContent(viewerId, author);
  }

  mentionedUsernames(text: string): string[] {
    return mentionEntities(text).map((m) => m.username);
  }

  hashtags(text: string): string[] {
    return hashtagEntities(text).map((h) => h.tag);
  }

  conversationIdFor(a: string, b: string): string {
    return BigInt(a) < BigInt(b) ? `${a}-${b}` : `${b}-${a}`;
  }

  isSubscribed(userId: string): boolean {
    if (this.subscriptions) return this.subscriptions.has(userId);
    for (const token of this.tokens.values()) {
      if (token.kind !== 'app' && token.userId === userId) return true;
    }
    return false;
  }

  subscribedUserIds(): string[] {
    if (this.subscriptions) return [...this.subscriptions];
    const ids = new Set<string>();
    for (const token of this.tokens.values()) if (token.kind !== 'app') ids.add(token.userId);
    return [...ids];
  }

  /** Subscribes the user; the implicit "everyone with a token" becomes an explicit list. */
  subscribe(userId: string): void {
    this.subscriptions = new Set([...this.subscribedUserIds(), userId]);
  }

  /** Returns whether the user was subscribed. Their events are still recorded, for replay. */
  unsubscribe(userId: string): boolean {
    const was = this.isSubscribed(userId);
    this.subscriptions = new Set(this.subscribedUserIds().filter((id) => id !== userId));
    return was;
  }

  // --------------------------------------------------------------------------- DM policy

  /**
   * Why X would refuse this DM, as a fault preset name (the emulator answers with its body), or
   * undefined when it goes through. Order follows what X checks: the sender, then the recipient.
   */
  dmRefusal(sender: EmuUser, recipient: EmuUser): string | undefined {
    if (sender.suspended) return 'sender_suspended';
    if (sender.locked) return 'locked';
    if (sender.automationFlagged) return 'automated';
    if (recipient.suspended) return 'recipient_suspended';
    if (this.isBlocking(recipient.id, sender.id)) return 'not_permitted';
    // A recipient who wrote to the sender has opened the conversation, whatever their settings.
    const recipientWroteFirst = this.dms.some(
      (dm) => dm.senderId === recipient.id && dm.recipientId === sender.id,
    );
    if (recipientWroteFirst) return undefined;
    const recipientFollowsSender = this.isFollowing(recipient.id, sender.id);
    switch (recipient.dmSetting) {
      case 'closed':
        return 'not_permitted';
      case 'following':
        if (!recipientFollowsSender) return 'not_following';
        break;
      case 'verified':
        if (!sender.verified && !recipientFollowsSender) return 'verified_only';
        break;
      case 'everyone':
        break;
    }
    // A DM to someone who does not follow you is a message request: unverified senders are refused.
    if (!recipientFollowsSender && !sender.phoneVerified) return 'sender_unverified';
    return undefined;
  }

  dmsSentToday(senderId: string): number {
    const since = this.clock.now() - 24 * 60 * 60 * 1000;
    return this.dms.filter((dm) => dm.senderId === senderId && dm.createdAtMs > since && dm.viaApi)
      .length;
  }

  lastDmInConversation(conversationId: string, senderId: string): EmuDm | undefined {
    for (let i = this.dms.length - 1; i >= 0; i -= 1) {
      const dm = this.dms[i];
      if (dm && dm.conversationId === conversationId && dm.senderId === senderId) return dm;
    }
    return undefined;
  }

  // --------------------------------------------------------------------------- mutations

  addUser(input: Omit<Partial<EmuUser>, 'username'> & { username: string }): EmuUser {
    if (this.usernames.has(input.username.toLowerCase())) {
      throw new EmulatorError(`Duplicate username: ${input.username}`);
    }
    const id = input.id ?? (SEEDED_USER_ID_BASE + BigInt(this.users.size + 1) * 1000n).toString();
    if (this.users.has(id)) throw new EmulatorError(`Duplicate user id: ${id}`);
    const user: EmuUser = {
      id,
      username: input.username,
      name: input.name ?? input.username,
      description: input.description ?? '',
      createdAtMs: input.createdAtMs ?? this.clock.now() - 3 * 365 * 24 * 60 * 60 * 1000,
      protected: input.protected ?? false,
      suspended: input.suspended ?? false,
      locked: input.locked ?? false,
      automationFlagged: input.automationFlagged ?? false,
      verified: input.verified ?? false,
      phoneVerified: input.phoneVerified ?? true,
      dmSetting: input.dmSetting ?? 'following',
      dmDailyLimit: input.dmDailyLimit,
    };
    this.users.set(id, user);
    this.usernames.set(user.username.toLowerCase(), id);
    return user;
  }

  updateUser(ref: string, patch: Partial<Omit<EmuUser, 'id'>>): EmuUser {
    const user = this.requireUser(ref);
    if (patch.username && patch.username.toLowerCase() !== user.username.toLowerCase()) {
      this.usernames.delete(user.username.toLowerCase());
      this.usernames.set(patch.username.toLowerCase(), user.id);
    }
    Object.assign(user, patch);
    return user;
  }

  follow(followerRef: string, followeeRef: string, atMs = this.clock.now()): EmuFollow | undefined {
    const follower = this.requireUser(followerRef);
    const followee = this.requireUser(followeeRef);
    if (this.isFollowing(follower.id, followee.id)) return undefined;
    const follow = { followerId: follower.id, followeeId: followee.id, seq: this.nextSeq(), atMs };
    this.follows.push(follow);
    for (const filterUser of new Set([followee.id, follower.id])) {
      this.emit('follow.follow', filterUser, {
        source: { data: userPayload(follower) },
        target: { data: userPayload(followee) },
      });
    }
    return follow;
  }

  unfollow(followerRef: string, followeeRef: string): boolean {
    const follower = this.requireUser(followerRef);
    const followee = this.requireUser(followeeRef);
    const before = this.follows.length;
    this.follows = this.follows.filter(
      (f) => !(f.followerId === follower.id && f.followeeId === followee.id),
    );
    if (this.follows.length === before) return false;
    for (const filterUser of new Set([followee.id, follower.id])) {
      this.emit('follow.unfollow', filterUser, {
        source: { data: userPayload(follower) },
        target: { data: userPayload(followee) },
      });
    }
    return true;
  }

  block(blockerRef: string, blockedRef: string): void {
    const blocker = this.requireUser(blockerRef);
    const blocked = this.requireUser(blockedRef);
    this.blocks.add(`${blocker.id}:${blocked.id}`);
    // Blocking removes follows both ways, as on X.
    this.follows = this.follows.filter(
      (f) =>
        !(f.followerId === blocked.id && f.followeeId === blocker.id) &&
        !(f.followerId === blocker.id && f.followeeId === blocked.id),
    );
  }

  unblock(blockerRef: string, blockedRef: string): void {
    const blocker = this.requireUser(blockerRef);
    const blocked = this.requireUser(blockedRef);
    this.blocks.delete(`${blocker.id}:${blocked.id}`);
  }

  createPost(input: {
    author: string;
    text: string;
    key?: string;
    id?: string;
    atMs?: number;
    replyTo?: string;
    quoteOf?: string;
    repostOf?: string;
    replySettings?: EmuPost['replySettings'];
    viaApi?: boolean;
  }): EmuPost {
    const author = this.requireUser(input.author);
    const atMs = input.atMs ?? this.clock.now();
    const parent = input.replyTo ? this.requirePost(input.replyTo) : undefined;
    const quoted = input.quoteOf ? this.requirePost(input.quoteOf) : undefined;
    const reposted = input.repostOf ? this.requirePost(input.repostOf) : undefined;
    const id = input.id ?? this.newId(atMs);
    if (this.posts.has(id)) throw new EmulatorError(`Duplicate post id: ${id}`);
    const post: EmuPost = {
      id,
      seq: this.nextSeq(),
      authorId: author.id,
      text: reposted
        ? `RT @${this.users.get(reposted.authorId)?.username ?? ''}: ${reposted.text}`
        : input.text,
      createdAtMs: atMs,
      conversationId: parent ? parent.conversationId : id,
      inReplyToPostId: parent?.id,
      inReplyToUserId: parent?.authorId,
      quotedPostId: quoted?.id,
      repostOfId: reposted?.id,
      replySettings: input.replySettings ?? 'everyone',
      viaApi: input.viaApi ?? false,
    };
    this.posts.set(id, post);
    if (input.key) this.postKeys.set(input.key, id);
    this.emitPostEvents(post, author, parent, quoted, reposted);
    return post;
  }

  private emitPostEvents(
    post: EmuPost,
    author: EmuUser,
    parent?: EmuPost,
    quoted?: EmuPost,
    reposted?: EmuPost,
  ): void {
    const payload = postPayload(this, post);
    const includes = { users: [userPayload(author)] };
    this.emit('post.create', author.id, payload, includes);
    // The Activity API never delivers posts of protected accounts to others.
    if (author.protected) return;
    if (reposted && reposted.authorId !== author.id) {
      this.emit('post.repost.create', reposted.authorId, payload, includes);
      return;
    }
    if (parent && parent.authorId !== author.id)
      this.emit('post.reply.create', parent.authorId, payload, includes);
    if (quoted && quoted.authorId !== author.id)
      this.emit('post.quote.create', quoted.authorId, payload, includes);
    for (const username of this.mentionedUsernames(post.text)) {
      const mentioned = this.user(username);
      if (mentioned && mentioned.id !== author.id)
        this.emit('post.mention.create', mentioned.id, payload, includes);
    }
  }

  repost(userRef: string, postRef: string, atMs?: number): EmuPost {
    const user = this.requireUser(userRef);
    const original = this.requirePost(postRef);
    const existing = [...this.posts.values()].find(
      (p) => p.authorId === user.id && p.repostOfId === original.id,
    );
    if (existing) return existing;
    return this.createPost({ author: user.id, text: '', repostOf: original.id, atMs });
  }

  like(userRef: string, postRef: string, atMs = this.clock.now()): EmuLike | undefined {
    const user = this.requireUser(userRef);
    const post = this.requirePost(postRef);
    if (this.likes.some((l) => l.userId === user.id && l.postId === post.id)) return undefined;
    const like = { userId: user.id, postId: post.id, seq: this.nextSeq(), atMs };
    this.likes.push(like);
    const author = this.users.get(post.authorId);
    const payload = {
      id: randomBytes(16).toString('hex'),
      created_at: new Date(post.createdAtMs).toISOString(),
      timestamp_ms: String(atMs),
      liked_tweet_id: post.id,
      liked_tweet_author_id: post.authorId,
    };
    const includes = {
      users: [userPayload(user), ...(author ? [userPayload(author)] : [])],
      tweets: [postPayload(this, post)],
    };
    if (post.authorId !== user.id)
      this.emit('like.create', post.authorId, payload, includes, 'inbound');
    this.emit('like.create', user.id, payload, includes, 'outbound');
    return like;
  }

  createDm(input: {
    from: string;
    to: string;
    text: string;
    atMs?: number;
    viaApi?: boolean;
  }): EmuDm {
    const sender = this.requireUser(input.from);
    const recipient = this.requireUser(input.to);
    const atMs = input.atMs ?? this.clock.now();
    const dm: EmuDm = {
      id: this.newId(atMs),
      seq: this.nextSeq(),
      conversationId: this.conversationIdFor(sender.id, recipient.id),
      senderId: sender.id,
      recipientId: recipient.id,
      text: input.text,
      createdAtMs: atMs,
      viaApi: input.viaApi ?? false,
    };
    this.dms.push(dm);
    const payload = {
      direct_message_events: [
        {
          type: 'message_create',
          id: dm.id,
          created_timestamp: String(atMs),
          message_create: {
            target: { recipient_id: recipient.id },
            sender_id: sender.id,
            message_data: {
              text: dm.text,
              entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
            },
          },
        },
      ],
      users: {
        [sender.id]: { data: userPayload(sender) },
        [recipient.id]: { data: userPayload(recipient) },
      },
    };
    this.emit('dm.sent', sender.id, payload);
    this.emit('dm.received', recipient.id, payload);
    return dm;
  }

  revokeToken(accessToken: string): EmuToken | undefined {
    const token = this.tokens.get(accessToken);
    if (!token || token.revoked) return token;
    token.revoked = true;
    if (token.kind !== 'app') {
      for (const refresh of this.refreshTokens.values())
        if (refresh.userId === token.userId) refresh.revoked = true;
      this.emit('oauth.revoke', undefined, {
        date_time: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        user_id: token.userId,
        app_id: this.app.appId,
      });
    }
    return token;
  }

  /** Every token of the user, revoked together (the user removed the app). */
  revokeUser(userRef: string): number {
    const user = this.requireUser(userRef);
    let count = 0;
    for (const token of this.tokens.values()) {
      if (token.kind !== 'app' && token.userId === user.id && !token.revoked) {
        this.revokeToken(token.accessToken);
        count += 1;
      }
    }
    return count;
  }

  issueOAuth2Pair(
    userId: string,
    scopes: string[],
  ): { accessToken: string; refreshToken: string; expiresIn: number } {
    const accessToken = this.newToken('emu-at');
    const refreshToken = this.newToken('emu-rt');
    const expiresIn = this.app.tokenLifetimeSeconds;
    this.tokens.set(accessToken, {
      kind: 'oauth2',
      accessToken,
      userId,
      scopes,
      expiresAtMs: this.clock.now() + expiresIn * 1000,
      revoked: false,
    });
    this.refreshTokens.set(refreshToken, {
      refreshToken,
      userId,
      scopes,
      used: false,
      revoked: false,
    });
    return { accessToken, refreshToken, expiresIn };
  }

  private emit(
    eventType: string,
    filterUserId: string | undefined,
    payload: unknown,
    includes?: unknown,
    direction?: 'inbound' | 'outbound',
  ): void {
    if (this.muted) return;
    // Recorded whoever is subscribed: live delivery filters, and a replay job can still
    // re-deliver what happened while an account was unsubscribed.
    const event: EmuEvent = {
      index: this.events.length,
      eventType,
      filterUserId,
      atMs: this.clock.now(),
      payload,
      includes,
      direction,
    };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  // --------------------------------------------------------------------------- scenario

  load(scenario: ParsedScenario): void {
    this.muted = true;
    try {
      this.loadWorld(scenario);
    } finally {
      this.muted = false;
    }
  }

  private loadWorld(scenario: ParsedScenario): void {
    const now = this.clock.now();
    this.app = { ...defaultApp, ...definedOnly(scenario.app ?? {}) };
    this.dmDailyLimit = scenario.dmDailyLimit ?? 500;
    for (const user of scenario.users) {
      const createdAtMs = user.createdAt
        ? Date.parse(user.createdAt)
        : user.createdDaysAgo !== undefined
          ? now - user.createdDaysAgo * 24 * 60 * 60 * 1000
          : undefined;
      this.addUser({
        ...definedOnly({ ...user, createdAt: undefined, createdDaysAgo: undefined }),
        createdAtMs,
      });
    }
    for (const token of scenario.tokens) {
      if (token.kind === 'app') {
        this.tokens.set(token.bearerToken, {
          kind: 'app',
          accessToken: token.bearerToken,
          revoked: false,
        });
        continue;
      }
      const user = this.requireUser(token.user);
      if (token.kind === 'oauth1') {
        this.tokens.set(token.accessToken, {
          kind: 'oauth1',
          accessToken: token.accessToken,
          accessSecret: token.accessSecret,
          userId: user.id,
          revoked: false,
        });
        continue;
      }
      const scopes = token.scopes ?? [
        'tweet.read',
        'tweet.write',
        'users.read',
        'follows.read',
        'like.read',
        'dm.read',
        'dm.write',
        'offline.access',
      ];
      this.tokens.set(token.accessToken, {
        kind: 'oauth2',
        accessToken: token.accessToken,
        userId: user.id,
        scopes,
        expiresAtMs: now + (token.expiresInSeconds ?? this.app.tokenLifetimeSeconds) * 1000,
        revoked: false,
      });
      if (token.refreshToken) {
        this.refreshTokens.set(token.refreshToken, {
          refreshToken: token.refreshToken,
          userId: user.id,
          scopes,
          used: false,
          revoked: false,
        });
      }
    }
    if (scenario.webhook?.subscriptions) {
      this.subscriptions = new Set(
        scenario.webhook.subscriptions.map((ref) => this.requireUser(ref).id),
      );
    }
    for (const [follower, followee] of scenario.follows)
      this.follow(follower, followee, now - 7 * 24 * 3600 * 1000);
    for (const [blocker, blocked] of scenario.blocks) this.block(blocker, blocked);
    const minutesAgo = (m: number | undefined, fallback: number) => now - (m ?? fallback) * 60_000;
    scenario.posts.forEach((post, index) => {
      this.createPost({
        author: post.author,
        text: post.text,
        key: post.key,
        id: post.id,
        atMs: post.createdAt
          ? Date.parse(post.createdAt)
          : minutesAgo(post.minutesAgo, 60 + scenario.posts.length - index),
        replyTo: post.replyTo,
        quoteOf: post.quoteOf,
        replySettings: post.replySettings,
      });
    });
    for (const repost of scenario.reposts)
      this.repost(repost.user, repost.post, minutesAgo(repost.minutesAgo, 30));
    for (const like of scenario.likes)
      this.like(like.user, like.post, minutesAgo(like.minutesAgo, 30));
    for (const dm of scenario.dms)
      this.createDm({
        from: dm.from,
        to: dm.to,
        text: dm.text,
        atMs: minutesAgo(dm.minutesAgo, 20),
      });
  }

  validateText(kind: 'post' | 'dm', text: string): 'empty' | 'too_long' | undefined {
    if (text.trim().length === 0) return 'empty';
    if (kind === 'post' && weightedLength(text) > POST_MAX_WEIGHTED_LENGTH) return 'too_long';
    if (kind === 'dm' && [...text].length > DM_MAX_LENGTH) return 'too_long';
    return undefined;
  }
}

/** @handles in a text with their positions (code points, as X counts). */
export function mentionEntities(text: string): { start: number; end: number; username: string }[] {
  return [...text.matchAll(/(^|[^\w@])@(\w{1,15})/g)].map((match) => {
    const start = [...text.slice(0, (match.index ?? 0) + (match[1]?.length ?? 0))].length;
    const username = match[2] ?? '';
    return { start, end: start + username.length + 1, username };
  });
}

export function hashtagEntities(text: string): { start: number; end: number; tag: string }[] {
  return [...text.matchAll(/(^|[^\w#＃])[#＃]([\p{L}\p{N}_]+)/gu)].map((match) => {
    const start = [...text.slice(0, (match.index ?? 0) + (match[1]?.length ?? 0))].length;
    const tag = match[2] ?? '';
    return { start, end: start + [...tag].length + 1, tag };
  });
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

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
export function postPayload(state: EmulatorState, post: EmuPost): Record<string, unknown> {
  const referenced: { type: string; id: string }[] = [];
  if (post.inReplyToPostId) referenced.push({ type: 'replied_to', id: post.inReplyToPostId });
  if (post.quotedPostId) referenced.push({ type: 'quoted', id: post.quotedPostId });
  if (post.repostOfId) referenced.push({ type: 'retweeted', id: post.repostOfId });
  const mentions = mentionEntities(post.text).map((m) => ({
    ...m,
    id: state.user(m.username)?.id,
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
