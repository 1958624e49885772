/**
 * What every X call shares: the account's client (credentials looked up by account id), failures
 * classified and logged, rate-limit waits that heartbeat, and paged reads that resume from their
 * heartbeat checkpoint on the calling activity's next attempt.
 */
import { Context } from '@temporalio/activity';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import { makeXError, type XError } from '../../domain/x-errors';
import { XAccountClients } from '../../x/account-clients';
import {
  XCallError,
  readPage,
  type PageKind,
  type PageRequest,
  type XDmEvent,
  type XPage,
  type XPost,
  type XRateLimit,
  type XUser,
} from '../../x/api';
import { DEFAULT_X_TIMEOUT_MS } from '../../x/client';
import { xErrorToApplicationFailure } from '../../x/failure';
import type { PagedInput, PagedResult, XAccessClock, XAccessDeps, XLogger } from './types';
import { createXUsage } from './usage';

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

export function activityContext(): Context {
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

/** Classifies and logs a failed X call and fails the calling activity with it. */
export type XFail = (error: unknown, activity: string, accountId: string) => never;

export function createXCore(deps: XAccessDeps) {
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
  const usage = createXUsage(deps.db, () => clock.now(), deps.campaignOf);

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
    waitInline = true,
  ): Promise<void> {
    if (!rateLimit || rateLimit.remaining > 0) return;
    const resumeAt = Date.parse(rateLimit.resetAt) + marginMs;
    if (resumeAt <= clock.now()) return;
    if (!waitInline || resumeAt - clock.now() > maxInlineWaitMs) {
      throw rateLimitFailure(resumeAt, 'Rate-limit window spent; resuming at its reset.');
    }
    await waitUntil(resumeAt, checkpoint);
  }

  /** One call, waiting out 429s within the inline budget (`waitInline` false: none). */
  async function withRateLimitWaits<T>(
    call: () => Promise<T>,
    checkpoint: unknown,
    waitInline = true,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof XCallError) || error.xError.code !== 'rate_limited') throw error;
        if (!waitInline) throw error;
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
    limits: { maxPages?: number; maxItems?: number; waitInline?: boolean },
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
        await respectRateLimit(state.rateLimit, state, limits.waitInline);
        const { client } = await clients.forAccount(accountId);
        const page: XPage<T> = await withRateLimitWaits(
          () => readPage<T>(client, { ...request, paginationToken: state.nextToken }),
          state,
          limits.waitInline,
        );
        await usage.countPage(accountId, request.kind, page.items);
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

  async function senderIdOrFail(accountId: string, activity: string): Promise<string> {
    try {
      return await clients.senderUserId(accountId);
    } catch (error) {
      fail(error, activity, accountId);
    }
  }

  return {
    db: deps.db,
    clock,
    log,
    clients,
    usage,
    fail,
    logPartialErrors,
    withRateLimitWaits,
    readPaged,
    pageRequest,
    notBeforeOf,
    senderIdOrFail,
  };
}

export type XCore = ReturnType<typeof createXCore>;
