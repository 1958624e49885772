/** The emulator's whole world, and how a scenario seeds it. */
import type { ParsedScenario } from '../scenario';
import { SubscriptionsWorld } from './subscriptions';
import { validateText } from './text';
import { defaultApp } from './types';

export class EmulatorState extends SubscriptionsWorld {
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
    return validateText(kind, text);
  }
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
