/**
 * What the emulator's world is made of: users, posts, likes, follows, DMs, tokens, the app and
 * the Activity API events every change records.
 */
import type { DmSetting } from '../scenario';

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

export const defaultApp: EmuApp = {
  appId: '29820954',
  consumerKey: 'emulator-consumer-key',
  consumerSecret: 'emulator-consumer-secret',
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
  tier: 'enterprise',
  tokenLifetimeSeconds: 7200,
};
