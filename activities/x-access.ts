/**
 * X access for the activities: the calls a sender account makes to X, used by the activities
 * (preflight, entries, draw, delivery, stops) from inside their own execution. They are not
 * activities themselves and are never registered with the worker or scheduled by a workflow.
 * Each takes an `accountId` and looks the credentials up itself, so workflow inputs, results
 * and histories never hold a token.
 *
 * Failures leave as ApplicationFailure (x/failure.ts): `type` = the XError code, non-retryable
 * when retrying cannot help, `nextRetryDelay` = X's reset for rate limits, details = [XError];
 * the calling activity fails with it or classifies it.
 *
 * They run inside an activity's context: paged reads heartbeat a checkpoint after every page
 * (cursor and items so far) and resume from it on the next attempt of the calling activity, and
 * they wait for X's rate-limit reset instead of calling again. An activity that calls them gives
 * itself a heartbeatTimeout in the workflow.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/client';
import { makeXError, type XError } from '../domain/x-errors';
import { recordXDmDayLimit } from '../db/repositories/accounts';
import { credentialsEnvelopeStore } from '../db/repositories/credential-envelopes';
import { XAccountClients } from '../x/account-clients';
import {
  XCallError,
  createReplayJob,
  createReply,
  getMe,
  getSubscription,
  getUser,
  listWebhooks,
  lookupUsers,
  readPage,
  replayWindow,
  sendDm,
  subscribeToWebhook,
  validateWebhook,
  type PageKind,
  type PageRequest,
  type XDmEvent,
  type XPage,
  type XPost,
  type XRateLimit,
  type XUser,
  type XWebhookConfig,
} from '../x/api';
import { DEFAULT_X_TIMEOUT_MS } from '../x/client';
import { xErrorToApplicationFailure } from '../x/failure';

export type { XDmEvent, XPost, XRateLimit, XUser } from '../x/api';

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

interface PageCheckpoint<T> {
  key: string;
  nextToken?: string;
  items: T[];
  pagesRead: number;
  newestId?: string;
  partialErrors: XError[];
  rateLimit?: XRateLimit;
}

const DEFAULT_MAX_PAGES = 5;
const DEFAULT_MAX_ITEMS = 2_000;
const MAX_CONSECUTIVE_RATE_LIMITS = 3;
const HEARTBEAT_DURING_WAIT_MS = 10_000;

function activityContext(): Context {
  return Context.current();
}

const contextLogger: XLogger = {
  info: (message, meta) => {
    activityContext().log.info(message, meta);
  },
  warn: (message, meta) => {
    activityContext().log.warn(message, meta);
  },
  error: (message, meta) => {
    activityContext().log.error(message, meta);
  },
};

const contextClock: XAccessClock = {
  now: () => Date.now(),
  sleep: (ms) => activityContext().sleep(ms),
};

/** Reasons and remedies for a disarmed account, one sentence pair each. */
function armedProblem(
  code: ArmedProblemCode,
  webhookUrl: string,
  handle: string,
): { code: ArmedProblemCode; ja: string; en: string } {
  switch (code) {
    case 'webhook_missing':
      return {
        code,
        ja: `X にこのアプリの Webhook（${webhookUrl}）が登録されていないため、@${handle} への応募が Kuji に届きません。X 開発者ポータル（または POST /2/webhooks）でこの URL を登録してから、再アームしてください。`,
        en: `X has no webhook for this app at ${webhookUrl}, so entries for @${handle} never reach Kuji. Register that URL in the X developer portal (or with POST /2/webhooks), then re-arm.`,
      };
    case 'webhook_invalid':
      return {
        code,
        ja: `Webhook（${webhookUrl}）が X の CRC チェックに失敗して無効とされたため、@${handle} のイベントが配信されていません。その URL で Kuji の API に到達でき、アプリのコンシューマーシークレットが設定されていることを確認してから、再アームしてチェックをやり直してください。`,
        en: `X marked the webhook ${webhookUrl} invalid after a failed CRC check, so no events for @${handle} are delivered. Make sure Kuji's API answers at that URL with the app's consumer secret, then re-arm to run the check again.`,
      };
    case 'not_subscribed':
      return {
        code,
        ja: `@${handle} が Webhook に登録（サブスクライブ）されていないため、DM・リプライ・メンションなどが Kuji に届きません。再アームすると登録し直し、その間に届かなかったイベントをリプレイします。`,
        en: `@${handle} is not subscribed to the webhook, so its DMs, replies and mentions never reach Kuji. Re-arm to subscribe it again; the events missed meanwhile are replayed.`,
      };
  }
}

/** A webhook that is missing or fails its CRC check needs a person: retrying cannot fix it. */
function webhookFailure(
  code: 'webhook_missing' | 'webhook_invalid',
  webhookUrl: string,
  handle: string,
): ApplicationFailure {
  const problem = armedProblem(code, webhookUrl, handle);
  return ApplicationFailure.create({
    type: code,
    message: `${code}: ${problem.en}`,
    nonRetryable: true,
    details: [problem],
  });
}

function isWebhookGone(error: unknown): boolean {
  return error instanceof XCallError && error.xError.httpStatus === 404;
}

function normalizeForMatch(text: string): string {
  // X rewrites links to t.co and may trim whitespace; compare what survives that.
  return text
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function createXAccess(deps: XAccessDeps) {
  const clock = deps.clock ?? contextClock;
  const log = deps.logger ?? contextLogger;
  const maxInlineWaitMs = deps.maxInlineRateLimitWaitMs ?? 16 * 60_000;
  const marginMs = deps.rateLimitMarginMs ?? 1_000;
  const reconcileWindowMs = deps.reconcileWindowMs ?? 5 * 60_000;
  const clients = new XAccountClients({
    envelopes: credentialsEnvelopeStore(deps.db),
    credentialsKey: deps.credentialsKey,
    clientOptions: {
      baseUrl: deps.xApiBaseUrl,
      timeoutMs: deps.requestTimeoutMs ?? DEFAULT_X_TIMEOUT_MS,
    },
    now: () => clock.now(),
    refreshSkewMs: deps.refreshSkewMs,
  });

  function fail(error: unknown, activity: string, accountId: string): never {
    if (!(error instanceof XCallError)) throw error;
    const x = error.xError;
    const meta = {
      activity,
      accountId,
      code: x.code,
      category: x.category,
      httpStatus: x.httpStatus,
      xType: x.xType,
      xCode: x.xCode,
      retryAt: x.retryAt,
    };
    if (x.category === 'unknown')
      log.error('Unrecognised answer from X', { ...meta, raw: error.raw });
    else if (error.logRaw) log.warn('X refused in a success answer', { ...meta, raw: error.raw });
    else log.warn('X call failed', meta);
    throw xErrorToApplicationFailure(x, clock.now());
  }

  /** Problems X reported beside the data, with the raw answer (redacted) like an unknown one. */
  function logPartialErrors(
    activity: string,
    accountId: string,
    answer: { partialErrors: XError[]; rawPartialErrors?: Record<string, unknown> },
  ): void {
    if (answer.partialErrors.length === 0) return;
    const meta = {
      activity,
      accountId,
      codes: answer.partialErrors.map((error) => error.code),
      raw: answer.rawPartialErrors,
    };
    if (answer.partialErrors.some((error) => error.category === 'unknown'))
      log.error('Unrecognised partial error from X', meta);
    else log.warn('Partial errors from X', meta);
  }

  function heartbeat(details: unknown): void {
    activityContext().heartbeat(details);
  }

  /** Sleeps until `untilMs`, heartbeating so a long wait is not mistaken for a stuck activity. */
  async function waitUntil(untilMs: number, checkpoint: unknown): Promise<void> {
    for (let remaining = untilMs - clock.now(); remaining > 0; remaining = untilMs - clock.now()) {
      heartbeat(checkpoint);
      await clock.sleep(Math.min(remaining, HEARTBEAT_DURING_WAIT_MS));
    }
  }

  function rateLimitFailure(retryAtMs: number, detail: string): XCallError {
    return new XCallError(
      makeXError('rate_limited', { retryAt: new Date(retryAtMs).toISOString(), xDetail: detail }),
    );
  }

  /** Never call an endpoint whose window is spent: wait for the reset (or retry at it). */
  async function respectRateLimit(
    rateLimit: XRateLimit | undefined,
    checkpoint: unknown,
  ): Promise<void> {
    if (!rateLimit || rateLimit.remaining > 0) return;
    const resumeAt = Date.parse(rateLimit.resetAt) + marginMs;
    if (resumeAt <= clock.now()) return;
    if (resumeAt - clock.now() > maxInlineWaitMs) {
      throw rateLimitFailure(resumeAt, 'Rate-limit window spent; resuming at its reset.');
    }
    await waitUntil(resumeAt, checkpoint);
  }

  /** One call, waiting out 429s within the inline budget. */
  async function withRateLimitWaits<T>(call: () => Promise<T>, checkpoint: unknown): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof XCallError) || error.xError.code !== 'rate_limited') throw error;
        const retryAtMs = error.xError.retryAt
          ? Date.parse(error.xError.retryAt) + marginMs
          : undefined;
        if (retryAtMs === undefined || attempt >= MAX_CONSECUTIVE_RATE_LIMITS) throw error;
        if (retryAtMs - clock.now() > maxInlineWaitMs) throw error;
        await waitUntil(retryAtMs, checkpoint);
      }
    }
  }

  function checkpointKey(request: PageRequest): string {
    return [
      request.kind,
      request.subject,
      request.paginationToken ?? '',
      request.sinceId ?? '',
    ].join('|');
  }

  function resumeCheckpoint<T>(key: string): PageCheckpoint<T> | undefined {
    const details: unknown = activityContext().info.heartbeatDetails;
    if (!details || typeof details !== 'object') return undefined;
    const checkpoint = details as PageCheckpoint<T>;
    return checkpoint.key === key && Array.isArray(checkpoint.items) ? checkpoint : undefined;
  }

  async function readPaged<T extends XUser | XPost | XDmEvent>(
    activity: string,
    accountId: string,
    request: PageRequest,
    limits: { maxPages?: number; maxItems?: number },
    /** Keeps only the items that matter (and stops at the first page holding one). */
    lookingFor?: (item: T) => boolean,
  ): Promise<PagedResult<T>> {
    const maxPages = limits.maxPages ?? DEFAULT_MAX_PAGES;
    const maxItems = limits.maxItems ?? DEFAULT_MAX_ITEMS;
    const key = checkpointKey(request);
    const state: PageCheckpoint<T> = resumeCheckpoint<T>(key) ?? {
      key,
      nextToken: request.paginationToken,
      items: [],
      pagesRead: 0,
      partialErrors: [],
    };
    if (state.pagesRead > 0)
      log.info('Resuming paged read from checkpoint', {
        activity,
        accountId,
        pagesRead: state.pagesRead,
      });
    try {
      while (
        state.pagesRead < maxPages &&
        state.items.length < maxItems &&
        (state.pagesRead === 0 || state.nextToken)
      ) {
        await respectRateLimit(state.rateLimit, state);
        const { client } = await clients.forAccount(accountId);
        const page: XPage<T> = await withRateLimitWaits(
          () => readPage<T>(client, { ...request, paginationToken: state.nextToken }),
          state,
        );
        state.items.push(...(lookingFor ? page.items.filter(lookingFor) : page.items));
        state.partialErrors.push(...page.partialErrors);
        state.nextToken = page.nextToken;
        state.pagesRead += 1;
        state.rateLimit = page.rateLimit;
        if (state.pagesRead === 1 && page.newestId) state.newestId = page.newestId;
        logPartialErrors(activity, accountId, page);
        heartbeat(state);
        if (lookingFor && state.items.length > 0) break;
      }
    } catch (error) {
      fail(error, activity, accountId);
    }
    return {
      items: state.items,
      nextToken: state.nextToken,
      complete: !state.nextToken,
      pagesRead: state.pagesRead,
      newestId: state.newestId,
      partialErrors: state.partialErrors,
      rateLimit: state.rateLimit,
    };
  }

  function pageRequest(
    kind: PageKind,
    subject: string,
    input: PagedInput,
    sinceId?: string,
  ): PageRequest {
    return {
      kind,
      subject,
      paginationToken: input.paginationToken,
      maxResults: input.maxResults,
      sinceId,
    };
  }

  function notBeforeOf(input: { notBefore?: string }): number {
    if (input.notBefore) return Date.parse(input.notBefore);
    return activityContext().info.scheduledTimestampMs - reconcileWindowMs;
  }

  /** Finds our DM with this text in the conversation, sent at or after `notBeforeMs`. */
  async function findDeliveredDm(
    input: SendDmInput,
    notBeforeMs: number,
  ): Promise<SendDmResult | undefined> {
    const senderId = await clients.senderUserId(input.accountId);
    const { client } = await clients.forAccount(input.accountId);
    const page = await readPage<XDmEvent>(client, {
      kind: 'dm_events',
      subject: input.participantId,
      maxResults: 50,
    });
    const wanted = normalizeForMatch(input.text);
    const match = page.items.find(
      (event) =>
        event.eventType === 'MessageCreate' &&
        event.senderId === senderId &&
        event.text !== undefined &&
        normalizeForMatch(event.text) === wanted &&
        (!event.createdAt || Date.parse(event.createdAt) >= notBeforeMs),
    );
    return match
      ? {
          dmEventId: match.id,
          dmConversationId: match.dmConversationId,
          reconciled: true,
          ...(match.createdAt ? { acceptedAt: match.createdAt } : {}),
          rateLimit: page.rateLimit,
        }
      : undefined;
  }

  async function findPostedReply(
    input: ReplyInput,
    notBeforeMs: number,
  ): Promise<ReplyResult | undefined> {
    const senderId = await clients.senderUserId(input.accountId);
    const { client } = await clients.forAccount(input.accountId);
    const page = await readPage<XPost>(client, {
      kind: 'search',
      subject: `from:${senderId} in_reply_to_tweet_id:${input.inReplyToPostId}`,
      maxResults: 100,
    });
    // X may prefix a reply's text with the @handles it replies to.
    const withoutLeadingMentions = (text: string) =>
      normalizeForMatch(text).replace(/^(@\w+\s*)+/, '');
    const wanted = withoutLeadingMentions(input.text);
    const match = page.items.find(
      (post) =>
        withoutLeadingMentions(post.text) === wanted &&
        (!post.createdAt || Date.parse(post.createdAt) >= notBeforeMs),
    );
    return match
      ? {
          postId: match.id,
          reconciled: true,
          ...(match.createdAt ? { acceptedAt: match.createdAt } : {}),
          rateLimit: page.rateLimit,
        }
      : undefined;
  }

  /** The app's webhook with exactly this URL, if X lists one. */
  async function findWebhook(
    accountId: string,
    webhookUrl: string,
  ): Promise<{ webhook?: XWebhookConfig; handle: string }> {
    const { client, handle } = await clients.forAccount(accountId);
    const { webhooks } = await withRateLimitWaits(() => listWebhooks(client), undefined);
    return { webhook: webhooks.find((candidate) => candidate.url === webhookUrl), handle };
  }

  return {
    /**
     * Is the automation live for this account: a webhook with exactly `webhookUrl`, valid (CRC
     * passed), and the account subscribed to it? X failures leave as classified failures; a
     * disarmed account is an answer, not a failure.
     */
    async xArmedCheck(input: ArmedCheckInput): Promise<ArmedCheck> {
      try {
        const { webhook, handle } = await findWebhook(input.accountId, input.webhookUrl);
        const disarmed = (
          code: ArmedProblemCode,
          facts: Pick<ArmedCheck, 'webhookId' | 'webhookValid' | 'subscribed'>,
        ): ArmedCheck => {
          const problem = armedProblem(code, input.webhookUrl, handle);
          log.warn('Automation disarmed', {
            accountId: input.accountId,
            code,
            webhookId: facts.webhookId,
          });
          return { armed: false, ...facts, problem };
        };
        const missing = { webhookId: null, webhookValid: false, subscribed: false };
        if (!webhook) return disarmed('webhook_missing', missing);
        const { client } = await clients.forAccount(input.accountId);
        let subscribed: boolean;
        try {
          ({ subscribed } = await withRateLimitWaits(
            () => getSubscription(client, webhook.id),
            undefined,
          ));
        } catch (error) {
          // Deleted between the two calls: as missing as if it had never been listed.
          if (isWebhookGone(error)) return disarmed('webhook_missing', missing);
          throw error;
        }
        const facts = { webhookId: webhook.id, webhookValid: webhook.valid, subscribed };
        // An invalid webhook delivers nothing even to subscribed accounts: report it first.
        if (!webhook.valid) return disarmed('webhook_invalid', facts);
        if (!subscribed) return disarmed('not_subscribed', facts);
        return { armed: true, ...facts, problem: null };
      } catch (error) {
        fail(error, 'xArmedCheck', input.accountId);
      }
    },

    /**
     * Re-arms the account: re-runs X's CRC check when the webhook is marked invalid, subscribes
     * the account when it is not, then starts a replay job for [replayFrom, replayTo) so the
     * events of the disarmed window reach Kuji after all. A retry may start a second job; the
     * webhook receiver stores events by X's ids, so a replayed event is never counted twice.
     * Fails non-retryably with `webhook_missing` (no webhook with that URL) or `webhook_invalid`
     * (the CRC check failed again): both need a person.
     */
    async xRearm(input: RearmInput): Promise<RearmResult> {
      const fromMs = Date.parse(input.replayFrom);
      const toMs = Date.parse(input.replayTo);
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
        throw ApplicationFailure.create({
          type: 'invalid_replay_window',
          message: `replayFrom and replayTo must be ISO instants (got ${input.replayFrom}, ${input.replayTo}).`,
          nonRetryable: true,
        });
      }
      // Set once X listed the webhook: a 404 after that means it was deleted meanwhile.
      let listed: { handle: string } | undefined;
      try {
        const { webhook, handle } = await findWebhook(input.accountId, input.webhookUrl);
        if (!webhook) throw webhookFailure('webhook_missing', input.webhookUrl, handle);
        listed = { handle };
        const { client } = await clients.forAccount(input.accountId);
        if (!webhook.valid) {
          const { valid } = await withRateLimitWaits(
            () => validateWebhook(client, webhook.id),
            undefined,
          );
          if (!valid) throw webhookFailure('webhook_invalid', input.webhookUrl, handle);
          log.info('Webhook passed the CRC check again', {
            accountId: input.accountId,
            webhookId: webhook.id,
          });
        }
        let { subscribed } = await withRateLimitWaits(
          () => getSubscription(client, webhook.id),
          undefined,
        );
        if (!subscribed) {
          ({ subscribed } = await withRateLimitWaits(
            () => subscribeToWebhook(client, webhook.id),
            undefined,
          ));
          log.info('Account subscribed to the webhook', {
            accountId: input.accountId,
            webhookId: webhook.id,
            subscribed,
          });
        }
        const window = replayWindow(fromMs, toMs, clock.now());
        if (!window) {
          log.warn('Nothing X can replay in the disarmed window', {
            accountId: input.accountId,
            replayFrom: input.replayFrom,
            replayTo: input.replayTo,
          });
          return { subscribed, webhookId: webhook.id, replayJobId: null };
        }
        const job = await withRateLimitWaits(
          () => createReplayJob(client, webhook.id, window),
          undefined,
        );
        log.info('Replay job started', {
          accountId: input.accountId,
          webhookId: webhook.id,
          replayJobId: job.jobId,
          from: new Date(window.fromMs).toISOString(),
          to: new Date(window.toMs).toISOString(),
        });
        return { subscribed, webhookId: webhook.id, replayJobId: job.jobId };
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        if (listed && isWebhookGone(error))
          throw webhookFailure('webhook_missing', input.webhookUrl, listed.handle);
        fail(error, 'xRearm', input.accountId);
      }
    },

    /** The sender account's own X profile. */
    async xMe(input: AccountInput): Promise<XUser> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        return (await getMe(client)).user;
      } catch (error) {
        fail(error, 'xMe', input.accountId);
      }
    },

    /** One user by id or username; a suspended or missing user fails with its classified code. */
    async xLookupUser(
      input: AccountInput & ({ userId: string } | { username: string }),
    ): Promise<XUser> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        const by = 'userId' in input ? { id: input.userId } : { username: input.username };
        return (await getUser(client, by)).user;
      } catch (error) {
        fail(error, 'xLookupUser', input.accountId);
      }
    },

    /** Up to 100 users; the ones X cannot return come back classified in `errors`. */
    async xLookupUsers(
      input: AccountInput & ({ ids: string[] } | { usernames: string[] }),
    ): Promise<{ users: XUser[]; errors: XError[]; rateLimit?: XRateLimit }> {
      try {
        const { client } = await clients.forAccount(input.accountId);
        const by = 'ids' in input ? { ids: input.ids } : { usernames: input.usernames };
        const page = await lookupUsers(client, by);
        logPartialErrors('xLookupUsers', input.accountId, page);
        return { users: page.items, errors: page.partialErrors, rateLimit: page.rateLimit };
      } catch (error) {
        fail(error, 'xLookupUsers', input.accountId);
      }
    },

    /**
     * Sends a DM as the account. On a retry (or after a timeout or "You already said that") it
     * first reads the conversation and reports an already delivered copy instead of sending twice.
     */
    async xSendDm(input: SendDmInput): Promise<SendDmResult> {
      const notBeforeMs = notBeforeOf(input);
      try {
        if (input.reconcileFirst || activityContext().info.attempt > 1) {
          const delivered = await findDeliveredDm(input, notBeforeMs);
          if (delivered) {
            log.info('DM already delivered; not sending again', {
              accountId: input.accountId,
              dmEventId: delivered.dmEventId,
            });
            return delivered;
          }
        }
        const { client } = await clients.forAccount(input.accountId);
        try {
          const sent = await sendDm(client, input.participantId, input.text);
          logPartialErrors('xSendDm', input.accountId, sent);
          // The daily cap is never above what X says it allows (domain/quota.ts dailyCapOf).
          const xDayLimit = sent.rateLimit?.userDay?.limit;
          if (xDayLimit !== undefined) {
            await recordXDmDayLimit(deps.db, input.accountId, xDayLimit);
          }
          return {
            dmEventId: sent.dmEventId,
            dmConversationId: sent.dmConversationId,
            reconciled: false,
            rateLimit: sent.rateLimit,
          };
        } catch (error) {
          if (error instanceof XCallError && error.xError.reconcileBeforeRetry) {
            const delivered = await findDeliveredDm(input, notBeforeMs).catch(() => undefined);
            if (delivered) {
              log.info('DM reported as failed was delivered', {
                accountId: input.accountId,
                code: error.xError.code,
                dmEventId: delivered.dmEventId,
              });
              return delivered;
            }
          }
          throw error;
        }
      } catch (error) {
        fail(error, 'xSendDm', input.accountId);
      }
    },

    /** Replies to a post as the account, reconciling against recent replies before a retry. */
    async xReply(input: ReplyInput): Promise<ReplyResult> {
      const notBeforeMs = notBeforeOf(input);
      try {
        if (input.reconcileFirst || activityContext().info.attempt > 1) {
          const posted = await findPostedReply(input, notBeforeMs);
          if (posted) return posted;
        }
        const { client } = await clients.forAccount(input.accountId);
        try {
          const created = await createReply(client, input.text, input.inReplyToPostId);
          return { postId: created.postId, reconciled: false, rateLimit: created.rateLimit };
        } catch (error) {
          if (error instanceof XCallError && error.xError.reconcileBeforeRetry) {
            const posted = await findPostedReply(input, notBeforeMs).catch(() => undefined);
            if (posted) return posted;
          }
          throw error;
        }
      } catch (error) {
        fail(error, 'xReply', input.accountId);
      }
    },

    /** DM events of the one-to-one conversation with a participant, newest first. */
    async xListDmEvents(
      input: PagedInput & { participantId: string },
    ): Promise<PagedResult<XDmEvent>> {
      return readPaged(
        'xListDmEvents',
        input.accountId,
        pageRequest('dm_events', input.participantId, input),
        input,
      );
    },

    async xListReposters(input: PagedInput & { postId: string }): Promise<PagedResult<XUser>> {
      return readPaged(
        'xListReposters',
        input.accountId,
        pageRequest('reposters', input.postId, input),
        input,
      );
    },

    async xListQuotes(input: PagedInput & { postId: string }): Promise<PagedResult<XPost>> {
      return readPaged(
        'xListQuotes',
        input.accountId,
        pageRequest('quotes', input.postId, input),
        input,
      );
    },

    async xListLikers(input: PagedInput & { postId: string }): Promise<PagedResult<XUser>> {
      return readPaged(
        'xListLikers',
        input.accountId,
        pageRequest('likers', input.postId, input),
        input,
      );
    },

    /** Followers of a user (default: the sender account). */
    async xListFollowers(input: PagedInput & { userId?: string }): Promise<PagedResult<XUser>> {
      const userId = input.userId ?? (await senderIdOrFail(input.accountId, 'xListFollowers'));
      return readPaged(
        'xListFollowers',
        input.accountId,
        pageRequest('followers', userId, input),
        input,
      );
    },

    /** Accounts a user follows (default: the sender account). */
    async xListFollowing(input: PagedInput & { userId?: string }): Promise<PagedResult<XUser>> {
      const userId = input.userId ?? (await senderIdOrFail(input.accountId, 'xListFollowing'));
      return readPaged(
        'xListFollowing',
        input.accountId,
        pageRequest('following', userId, input),
        input,
      );
    },

    /**
     * Does `followerId` follow `targetId` (default: the sender)? Reads the follower's following
     * list until found; `follows: null` with a `nextToken` when the pages ran out first.
     */
    async xCheckFollows(
      input: PagedInput & { followerId: string; targetId?: string },
    ): Promise<{ follows: boolean | null; nextToken?: string; pagesRead: number }> {
      const targetId = input.targetId ?? (await senderIdOrFail(input.accountId, 'xCheckFollows'));
      const result = await readPaged<XUser>(
        'xCheckFollows',
        input.accountId,
        pageRequest('following', input.followerId, input),
        { maxPages: input.maxPages ?? 15 },
        (user) => user.id === targetId,
      );
      const follows = result.items.some((user) => user.id === targetId);
      if (follows) return { follows: true, pagesRead: result.pagesRead };
      return result.complete
        ? { follows: false, pagesRead: result.pagesRead }
        : { follows: null, nextToken: result.nextToken, pagesRead: result.pagesRead };
    },

    /** Posts mentioning the sender account, newest first; pass `sinceId` to poll incrementally. */
    async xListMentions(input: PagedInput & { sinceId?: string }): Promise<PagedResult<XPost>> {
      const userId = await senderIdOrFail(input.accountId, 'xListMentions');
      return readPaged(
        'xListMentions',
        input.accountId,
        pageRequest('mentions', userId, input, input.sinceId),
        input,
      );
    },

    /** Recent search (last 7 days; X stopped returning reposts here in 2026). */
    async xSearchRecent(
      input: PagedInput & { query: string; sinceId?: string },
    ): Promise<PagedResult<XPost>> {
      return readPaged(
        'xSearchRecent',
        input.accountId,
        pageRequest('search', input.query, input, input.sinceId),
        input,
      );
    },
  };

  async function senderIdOrFail(accountId: string, activity: string): Promise<string> {
    try {
      return await clients.senderUserId(accountId);
    } catch (error) {
      fail(error, activity, accountId);
    }
  }
}

export type XAccess = ReturnType<typeof createXAccess>;
