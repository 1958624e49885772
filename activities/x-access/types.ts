/** What the X access takes and answers: inputs carry an account id, never a credential. */
import type { Db } from '../../db/client';
import type { XError } from '../../domain/x-errors';
import type { XRateLimit } from '../../x/api';

export type { XDmEvent, XPost, XRateLimit, XUser } from '../../x/api';

export interface XLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface XAccessClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface XAccessDeps {
  db: Db;
  credentialsKey: Buffer;
  /** `http://127.0.0.1:4000` for the emulator; unset for the real X API. */
  xApiBaseUrl?: string;
  /** Defaults to the activity context's logger. */
  logger?: XLogger;
  /** Per-request timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Defaults to wall time and the activity's cancellable sleep; tests pass the emulator's clock. */
  clock?: XAccessClock;
  /** Waits up to this long inside the activity for a rate-limit reset; longer waits become a retry at the reset. */
  maxInlineRateLimitWaitMs?: number;
  /** Added to X's reset instant before calling again (reset is given in whole seconds). */
  rateLimitMarginMs?: number;
  /** Refresh OAuth 2.0 tokens this long before they expire. */
  refreshSkewMs?: number;
  /** How far before the first attempt a matching DM/reply still counts as ours when reconciling. */
  reconcileWindowMs?: number;
  /** Whose X calls these are (cost counting); defaults to the campaign of the running workflow. */
  campaignOf?: () => string | null;
}

export interface AccountInput {
  accountId: string;
}

export interface PagedInput extends AccountInput {
  /** Pages to read in this call (default 5); continue with the returned `nextToken`. */
  maxPages?: number;
  /**
   * Stop paging once this many items are held (default 2,000): results and heartbeat
   * checkpoints carry the items and must stay well inside Temporal's 2 MB payload limit.
   */
  maxItems?: number;
  paginationToken?: string;
  maxResults?: number;
  /**
   * false: a spent window or a 429 fails the read at once (`rate_limited` with its reset), for a
   * caller that would rather skip the read than hold its activity; default: waited out inline.
   */
  waitInline?: boolean;
}

export interface PagedResult<T> {
  items: T[];
  /** Pass back as `paginationToken` to continue; absent when the list is exhausted. */
  nextToken?: string;
  complete: boolean;
  pagesRead: number;
  /** Newest post id seen (mentions/search): store it as the next poll's `sinceId`. */
  newestId?: string;
  /** Items X could not return, classified (suspended users, deleted posts…). */
  partialErrors: XError[];
  rateLimit?: XRateLimit;
}

export interface SendDmInput extends AccountInput {
  participantId: string;
  text: string;
  /**
   * Earliest instant this delivery can have reached X (the first send attempt). A matching DM
   * after it counts as already delivered. Defaults to the activity's first schedule time minus
   * `reconcileWindowMs`.
   */
  notBefore?: string;
  /** Read the conversation before sending even on the first attempt (resends after a crash). */
  reconcileFirst?: boolean;
}

export interface SendDmResult {
  dmEventId: string;
  dmConversationId?: string;
  /** True when the DM was found already delivered instead of being sent now. */
  reconciled: boolean;
  /** X's date of the DM found when reconciling: when X accepted it. */
  acceptedAt?: string;
  rateLimit?: XRateLimit;
}

export interface ReplyInput extends AccountInput {
  inReplyToPostId: string;
  text: string;
  notBefore?: string;
  reconcileFirst?: boolean;
}

export interface ReplyResult {
  postId: string;
  reconciled: boolean;
  /** X's date of the reply found when reconciling: when X accepted it. */
  acceptedAt?: string;
  rateLimit?: XRateLimit;
}

export type ArmedProblemCode = 'webhook_missing' | 'webhook_invalid' | 'not_subscribed';

/** Whether the automation Kuji depends on is live: X delivers the account's events to Kuji. */
export interface ArmedCheck {
  /** A webhook with exactly the expected URL exists, passed X's CRC check, and the account is subscribed. */
  armed: boolean;
  webhookId: string | null;
  webhookValid: boolean;
  subscribed: boolean;
  /** Why not, with the remedy, in Japanese and English; null when armed. */
  problem: null | { code: ArmedProblemCode; ja: string; en: string };
}

export interface ArmedCheckInput extends AccountInput {
  /** Kuji's webhook receiver as registered with X, compared exactly. */
  webhookUrl: string;
}

export interface RearmInput extends ArmedCheckInput {
  /** The disarmed window to replay, [replayFrom, replayTo), ISO instants. */
  replayFrom: string;
  replayTo: string;
}

export interface RearmResult {
  subscribed: boolean;
  webhookId: string;
  /** Null when the window held nothing X can still replay (empty, or older than five days). */
  replayJobId: string | null;
}
