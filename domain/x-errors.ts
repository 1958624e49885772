/**
 * The X error taxonomy (DESIGN.md §6): every failure talking to X becomes a stable code with a
 * category, a retry decision and a reason and remedy in Japanese and English.
 *
 * Pure: no Node built-ins, no I/O, no clock. Workflows import it to read the `XError` carried in
 * an activity failure's details. x/classify-response.ts turns twitter-api-v2 errors into the
 * normalised `XFailureInput` classified here.
 *
 * Order of evidence: the HTTP status first (429, 402, 5xx and 401 decide on their own), then X's
 * problem `type` where it is specific (domain/x-problem-types.ts) or a problem naming a 5xx
 * status, then the `detail`/`message` text, then any legacy numeric code, then the generic type
 * and finally the status alone. A 2xx is classified by its content the same way. Anything left
 * is `unknown` — logged raw by the caller, never dropped. The codes themselves live in
 * domain/x-error-catalog.ts.
 */

import {
  xErrorCatalog,
  type XErrorCategory,
  type XErrorCode,
  type LocalizedText,
} from './x-error-catalog';
import { decisiveProblemCode, genericProblemCode } from './x-problem-types';

export * from './x-error-catalog';

export interface XError {
  category: XErrorCategory;
  code: XErrorCode;
  retryable: boolean;
  haltsAccount: boolean;
  reconcileBeforeRetry: boolean;
  /** ISO instant from X's headers when a retry can succeed (rate limit or 24-hour reset). */
  retryAt?: string;
  reason: LocalizedText;
  remedy: LocalizedText;
  httpStatus?: number;
  /** X's problem `type` as sent (either prefix, or `about:blank`). */
  xType?: string;
  xTitle?: string;
  xDetail?: string;
  /** Legacy numeric code (`errors[].code`). */
  xCode?: number;
  /** For partial errors: the id X names in the error (`resource_id` / `value`). */
  resourceId?: string;
}

/** Which call failed: the same answer means different things for different calls. */
export type XOperation =
  'dm_send' | 'dm_read' | 'post_create' | 'read' | 'user_lookup' | 'token_refresh';

export interface XFailureInput {
  httpStatus?: number;
  headers?: Record<string, string | string[] | number | undefined>;
  /** Parsed JSON, or the raw text when X did not answer JSON. */
  body?: unknown;
  networkError?: { code?: string; message?: string; timedOut?: boolean };
  operation?: XOperation;
  /** Needed only to turn a `retry-after` header into an instant. */
  nowMs?: number;
}

export function isXErrorCode(value: unknown): value is XErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(xErrorCatalog, value);
}

/** What X told us, kept beside the classification for the log and the operator. */
export type XErrorEvidence = Partial<
  Pick<XError, 'retryAt' | 'httpStatus' | 'xType' | 'xTitle' | 'xDetail' | 'xCode' | 'resourceId'>
>;

export function makeXError(code: XErrorCode, evidence: XErrorEvidence = {}): XError {
  const entry = xErrorCatalog[code];
  const error: XError = {
    category: entry.category,
    code,
    retryable: entry.retryable,
    haltsAccount: entry.haltsAccount,
    reconcileBeforeRetry: entry.reconcileBeforeRetry,
    reason: entry.reason,
    remedy: entry.remedy,
  };
  for (const [key, value] of Object.entries(evidence)) {
    if (value !== undefined) (error as unknown as Record<string, unknown>)[key] = value;
  }
  return error;
}

/** Reads the XError an activity put in its ApplicationFailure details (workflow side). */
export function xErrorFromDetails(
  details: readonly unknown[] | undefined | null,
): XError | undefined {
  const first = details?.[0];
  if (!first || typeof first !== 'object') return undefined;
  const candidate = first as Partial<XError>;
  if (!isXErrorCode(candidate.code)) return undefined;
  if (candidate.category !== xErrorCatalog[candidate.code].category) return undefined;
  return candidate as XError;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

interface ProblemLike {
  type?: string;
  title?: string;
  detail?: string;
  message?: string;
  code?: number;
  /** The `status` a problem object names, which can differ from the HTTP status carrying it. */
  status?: number;
  resourceType?: string;
  resourceId?: string;
}

interface NormalizedBody {
  /** Problem `type` as sent. */
  type?: string;
  /** The part after `/2/problems/`, or `about:blank`. */
  typeSlug?: string;
  title?: string;
  /** Every human-readable text in the body, joined; used for pattern matching. */
  texts: string[];
  detail?: string;
  codes: number[];
  /** The highest `status` any problem object in the body names. */
  problemStatus?: number;
  resourceType?: string;
  resourceId?: string;
  /** `{"error": "Not authorized."}`: the shape of a protected timeline read. */
  bareError?: string;
  isEmpty: boolean;
}

const problemPrefixes = [
  'https://api.x.com/2/problems/',
  'https://api.twitter.com/2/problems/',
  'https://developer.x.com/en/support/x-api/error-troubleshooting#',
  'https://developer.twitter.com/en/support/twitter-api/error-troubleshooting#',
];

export function problemTypeSlug(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const trimmed = type.trim();
  if (trimmed === 'about:blank') return 'about:blank';
  for (const prefix of problemPrefixes) {
    if (trimmed.startsWith(prefix)) return trimmed.slice(prefix.length).replace(/\/$/, '');
  }
  const lastSegment = /([a-z-]+)\/?$/i.exec(trimmed);
  return lastSegment?.[1]?.toLowerCase();
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function readProblem(value: unknown): ProblemLike | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  return {
    type: asString(record.type),
    title: asString(record.title),
    detail: asString(record.detail),
    message: asString(record.message),
    code: asNumber(record.code),
    status: asNumber(record.status),
    resourceType: asString(record.resource_type),
    resourceId: asString(record.resource_id) ?? asString(record.value),
  };
}

function parseMaybeJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return body;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return body;
  }
}

export function normalizeXBody(rawBody: unknown): NormalizedBody {
  const body = parseMaybeJson(rawBody);
  const normalized: NormalizedBody = { texts: [], codes: [], isEmpty: true };
  if (typeof body === 'string') {
    const text = body.trim();
    if (text) {
      normalized.isEmpty = false;
      normalized.texts.push(text.slice(0, 2000));
      normalized.detail = text.slice(0, 500);
    }
    return normalized;
  }
  if (!body || typeof body !== 'object') return normalized;
  normalized.isEmpty = false;
  const record = body as Record<string, unknown>;
  const top = readProblem(record);
  const nested = Array.isArray(record.errors)
    ? record.errors.map(readProblem).filter((p): p is ProblemLike => p !== undefined)
    : [];
  const all = top ? [top, ...nested] : nested;
  for (const problem of all) {
    normalized.type ??= problem.type;
    normalized.title ??= problem.title;
    normalized.detail ??= problem.detail ?? problem.message;
    normalized.resourceType ??= problem.resourceType;
    normalized.resourceId ??= problem.resourceId;
    if (problem.code !== undefined && problem !== top) normalized.codes.push(problem.code);
    if (problem.status !== undefined)
      normalized.problemStatus = Math.max(normalized.problemStatus ?? 0, problem.status);
    for (const text of [problem.title, problem.detail, problem.message]) {
      if (text) normalized.texts.push(text);
    }
  }
  const bareError = asString(record.error);
  if (bareError) {
    normalized.texts.push(bareError);
    if (!top?.type && nested.length === 0) normalized.bareError = bareError;
  }
  const description = asString(record.error_description);
  if (description) {
    normalized.texts.push(description);
    normalized.detail ??= description;
  }
  normalized.detail ??= bareError;
  normalized.typeSlug = problemTypeSlug(normalized.type);
  return normalized;
}

function headerValue(headers: XFailureInput['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : String(value);
  }
  return undefined;
}

function headerNumber(headers: XFailureInput['headers'], name: string): number | undefined {
  const value = headerValue(headers, name);
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function epochSecondsToIso(seconds: number | undefined): string | undefined {
  if (seconds === undefined || seconds <= 0) return undefined;
  return new Date(seconds * 1000).toISOString();
}

function retryAfterIso(input: XFailureInput): string | undefined {
  const value = headerValue(input.headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && input.nowMs !== undefined) {
    return new Date(input.nowMs + seconds * 1000).toISOString();
  }
  const date = Date.parse(value);
  return Number.isFinite(date) ? new Date(date).toISOString() : undefined;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** Matched against title, detail and messages, in this order; the first match wins. */
const textRules: { pattern: RegExp; code: XErrorCode | ((input: Context) => XErrorCode) }[] = [
  { pattern: /usage ?cap/i, code: 'usage_capped' },
  {
    pattern: /credits ?depleted|does not have any credits|out of credits/i,
    code: 'credits_depleted',
  },
  { pattern: /already said that/i, code: 'dm_already_said' },
  { pattern: /duplicate/i, code: 'duplicate_content' },
  { pattern: /looks like it might be automated/i, code: 'sender_automation_flagged' },
  { pattern: /temporarily locked|account is locked/i, code: 'sender_locked' },
  {
    // "The user used for authentication is suspended": the sender, whatever type carries it.
    pattern:
      /your account is suspended|you are suspended|account has been suspended and|(user|account) used for authentication (is|has been) suspended|authenticating (user|account) (is|has been) suspended/i,
    code: 'sender_suspended',
  },
  {
    pattern:
      /not permitted to access this feature|oauth1 app permissions|app permissions|application is not allowed to access or delete your direct messages/i,
    code: 'auth_app_permissions',
  },
  {
    pattern: /not verified to send|verify your (phone|email)|sender is not verified/i,
    code: 'sender_unverified',
  },
  { pattern: /has been suspended|is suspended|user suspended/i, code: 'recipient_suspended' },
  { pattern: /not following you/i, code: 'dm_recipient_not_following' },
  { pattern: /allow dms? from anyone/i, code: 'dm_open_dms_required' },
  { pattern: /blocked from|has blocked|you have been blocked/i, code: 'recipient_blocked' },
  {
    pattern:
      /\bmedia\b.*\b(not allowed|not permitted|cannot be (attached|used|sent)|can't be (attached|used|sent)|may not be (attached|used)|not supported|not valid|invalid)|(attach|attachment)s?\b.*\b(not allowed|not permitted|not supported)|\b(dms?|direct messages?)\b.*\b(does not|do not|cannot|can't) (support|allow|accept)\b.*\bmedia/i,
    code: 'media_not_allowed',
  },
  {
    pattern:
      /cannot send (direct )?messages|not permitted to send (direct )?messages|can't send messages|cannot be sent messages/i,
    code: 'dm_not_permitted',
  },
  {
    pattern:
      /(not allowed to|cannot|can't) reply|restricted who can reply|reply to this (conversation|tweet|post) is not allowed/i,
    code: 'reply_not_permitted',
  },
  {
    pattern: /daily (message |direct message |status update |tweet )?limit|over daily/i,
    code: 'account_daily_dm_limit',
  },
  { pattern: /too long|exceeds the maximum|text length/i, code: 'text_too_long' },
  { pattern: /violat/i, code: 'content_policy_violation' },
  { pattern: /\bscopes?\b/i, code: 'auth_missing_dm_scopes' },
  {
    pattern:
      /could not find (tweet|post)|no status found|tweet not found|post not found|deleted or not visible/i,
    code: 'post_not_found',
  },
  { pattern: /could not find user|user not found|no user matches/i, code: 'user_not_found' },
  {
    pattern: /not authorized to see|not authorized to view|protected/i,
    code: 'recipient_protected',
  },
  {
    pattern: /invalid[_ ]grant|refresh token|value passed for the token was invalid/i,
    code: (c) => (c.operation === 'token_refresh' ? 'auth_refresh_rejected' : 'auth_token_invalid'),
  },
  {
    pattern: /invalid or expired token|could not authenticate you|unauthorized/i,
    code: 'auth_token_invalid',
  },
  // X's own failure reported in a 4xx or a 200 body: transient, not the caller's fault.
  {
    pattern: /over ?capacity|service (is )?(temporarily )?unavailable|upstream connect error/i,
    code: 'service_unavailable',
  },
  {
    pattern: /\binternal (server )?error\b|something went wrong|technical difficult/i,
    code: 'server_error',
  },
];

const legacyCodes: Record<number, XErrorCode | ((context: Context) => XErrorCode)> = {
  349: 'dm_not_permitted',
  150: 'dm_recipient_not_following',
  151: 'dm_not_permitted',
  214: 'dm_open_dms_required',
  136: 'recipient_blocked',
  63: 'recipient_suspended',
  50: 'user_not_found',
  17: 'user_not_found',
  34: (context) => (context.operation === 'post_create' ? 'post_not_found' : 'user_not_found'),
  144: 'post_not_found',
  385: 'post_not_found',
  421: 'post_not_found',
  433: 'reply_not_permitted',
  226: 'sender_automation_flagged',
  326: 'sender_locked',
  64: 'sender_suspended',
  476: 'sender_unverified',
  88: 'rate_limited',
  185: 'account_daily_dm_limit',
  344: 'account_daily_dm_limit',
  187: 'duplicate_content',
  186: 'text_too_long',
  354: 'text_too_long',
  422: 'content_policy_violation',
  323: 'media_not_allowed',
  324: 'media_not_allowed',
  325: 'media_not_allowed',
  32: 'auth_token_invalid',
  89: 'auth_token_invalid',
  99: 'auth_token_invalid',
  135: 'auth_token_invalid',
  215: 'auth_token_invalid',
  93: 'auth_missing_dm_scopes',
  261: 'auth_app_not_permitted',
  416: 'auth_app_not_permitted',
  130: 'service_unavailable',
  131: 'server_error',
};

/** Generic types: used only when neither the text nor a legacy code said more. */
function genericTypeCode(context: Context): XErrorCode | undefined {
  return genericProblemCode(context.body.typeSlug, {
    operation: context.operation,
    resourceType: context.body.resourceType,
  });
}

interface Context {
  input: XFailureInput;
  body: NormalizedBody;
  operation?: XOperation;
}

function codeFromText(context: Context): XErrorCode | undefined {
  for (const text of context.body.texts) {
    for (const rule of textRules) {
      if (rule.pattern.test(text))
        return typeof rule.code === 'function' ? rule.code(context) : rule.code;
    }
  }
  return undefined;
}

function codeFromLegacy(context: Context): { code: XErrorCode; xCode: number } | undefined {
  for (const xCode of context.body.codes) {
    const mapped = legacyCodes[xCode];
    if (mapped) return { code: typeof mapped === 'function' ? mapped(context) : mapped, xCode };
  }
  return undefined;
}

function isGenericForbidden(body: NormalizedBody): boolean {
  const generic = (text: string | undefined) => !text || /^forbidden\.?$/i.test(text.trim());
  return (
    (body.typeSlug === 'about:blank' || body.typeSlug === undefined) &&
    generic(body.detail) &&
    body.codes.length === 0
  );
}

function evidenceOf(context: Context, extra: XErrorEvidence = {}): XErrorEvidence {
  const { body, input } = context;
  return {
    httpStatus: input.httpStatus,
    xType: body.type,
    xTitle: body.title,
    xDetail: body.detail,
    xCode: body.codes[0],
    resourceId: body.resourceId,
    ...extra,
  };
}

/** A problem that names a 5xx status is X's own failure, whatever status carried it. */
function wrappedServerError(body: NormalizedBody): XErrorCode | undefined {
  if (body.problemStatus === undefined || body.problemStatus < 500) return undefined;
  return body.problemStatus === 503 ? 'service_unavailable' : 'server_error';
}

/** Classifies a body that may carry no status (a partial error inside a 200). */
function classifyByContent(context: Context): XErrorCode | undefined {
  const decisive = decisiveProblemCode(context.body.typeSlug) ?? wrappedServerError(context.body);
  if (decisive) return decisive;
  return codeFromText(context) ?? codeFromLegacy(context)?.code ?? genericTypeCode(context);
}

function classifyTooManyRequests(context: Context): XError {
  const { input, body } = context;
  // Only the body tells a monthly cap from a rate limit: the headers may still show requests left.
  if (body.typeSlug === 'usage-capped' || body.texts.some((t) => /usage ?cap/i.test(t))) {
    return makeXError('usage_capped', evidenceOf(context));
  }
  const userDayRemaining = headerNumber(input.headers, 'x-user-limit-24hour-remaining');
  if (userDayRemaining === 0) {
    return makeXError(
      'user_daily_limit',
      evidenceOf(context, {
        retryAt: epochSecondsToIso(headerNumber(input.headers, 'x-user-limit-24hour-reset')),
      }),
    );
  }
  const appDayRemaining = headerNumber(input.headers, 'x-app-limit-24hour-remaining');
  if (appDayRemaining === 0) {
    return makeXError(
      'app_daily_limit',
      evidenceOf(context, {
        retryAt: epochSecondsToIso(headerNumber(input.headers, 'x-app-limit-24hour-reset')),
      }),
    );
  }
  const retryAt =
    epochSecondsToIso(headerNumber(input.headers, 'x-rate-limit-reset')) ?? retryAfterIso(input);
  return makeXError('rate_limited', evidenceOf(context, { retryAt }));
}

function classifyNetworkError(input: XFailureInput): XError {
  const { code, message, timedOut } = input.networkError ?? {};
  const isTimeout =
    timedOut === true ||
    code === 'ETIMEDOUT' ||
    code === 'ESOCKETTIMEDOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    /time(d)? ?out/i.test(message ?? '');
  return makeXError(isTimeout ? 'timeout' : 'network_error', {
    httpStatus: input.httpStatus,
    xDetail: [code, message].filter(Boolean).join(': ') || undefined,
  });
}

export function classifyXFailure(input: XFailureInput): XError {
  if (input.networkError && input.httpStatus === undefined) return classifyNetworkError(input);

  const body = normalizeXBody(input.body);
  const context: Context = { input, body, operation: input.operation };
  const status = input.httpStatus;

  if (status === undefined) {
    const code = input.networkError ? undefined : classifyByContent(context);
    return code
      ? makeXError(code, evidenceOf(context))
      : makeXError('unknown', evidenceOf(context));
  }

  if (status === 429) return classifyTooManyRequests(context);
  if (status === 402) return makeXError('credits_depleted', evidenceOf(context));
  if (status >= 500) {
    const legacy = codeFromLegacy(context);
    const code: XErrorCode =
      status === 503 || legacy?.code === 'service_unavailable'
        ? 'service_unavailable'
        : 'server_error';
    return makeXError(code, evidenceOf(context, { retryAt: retryAfterIso(input) }));
  }
  if (input.networkError) return classifyNetworkError(input);
  if (status === 401) {
    // A protected account's timeline answers 401 {"error":"Not authorized."}: not our credentials.
    if (body.bareError && /not authorized/i.test(body.bareError)) {
      return makeXError('recipient_protected', evidenceOf(context));
    }
    const code =
      context.operation === 'token_refresh' ? 'auth_refresh_rejected' : 'auth_token_invalid';
    return makeXError(code, evidenceOf(context));
  }
  if (context.operation === 'token_refresh' && status === 400) {
    return makeXError('auth_refresh_rejected', evidenceOf(context));
  }

  if (status >= 200 && status < 300) {
    const code = classifyByContent(context);
    return makeXError(code ?? 'unknown', evidenceOf(context));
  }

  const decisive = decisiveProblemCode(body.typeSlug) ?? wrappedServerError(body);
  if (decisive) return makeXError(decisive, evidenceOf(context));

  // 403 about:blank "Forbidden" on a DM send is a token without dm.* scopes, not the recipient.
  if (status === 403 && context.operation === 'dm_send' && isGenericForbidden(body)) {
    return makeXError('auth_missing_dm_scopes', evidenceOf(context));
  }

  const fromText = codeFromText(context);
  if (fromText) return makeXError(fromText, evidenceOf(context));
  const fromLegacy = codeFromLegacy(context);
  if (fromLegacy)
    return makeXError(fromLegacy.code, evidenceOf(context, { xCode: fromLegacy.xCode }));
  const fromGenericType = genericTypeCode(context);
  if (fromGenericType) return makeXError(fromGenericType, evidenceOf(context));

  switch (status) {
    case 400:
      return makeXError('invalid_request', evidenceOf(context));
    case 404:
      return makeXError(
        context.operation === 'post_create' ? 'post_not_found' : 'user_not_found',
        evidenceOf(context),
      );
    case 408:
      return makeXError('timeout', evidenceOf(context));
    default:
      return makeXError('unknown', evidenceOf(context));
  }
}

/**
 * Partial errors inside a successful answer (`{ data, errors }` with status 200): one XError per
 * problem, so a lookup of ten users can report the one that is suspended.
 */
export function classifyPartialErrors(errors: unknown, operation?: XOperation): XError[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((problem) => classifyXFailure({ body: { errors: [problem] }, operation }));
}
