/**
 * Turns what twitter-api-v2 throws (ApiResponseError, ApiPartialResponseError, ApiRequestError,
 * or anything else) into the normalised input of domain/x-errors.ts, and offers a redacted view
 * of the raw answer for logs. Never passes the request object on: it carries the Authorization
 * header.
 */
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import {
  classifyXFailure,
  type XError,
  type XFailureInput,
  type XOperation,
} from '../domain/x-errors';

type HeaderBag = Record<string, string | string[] | number | undefined>;

export function plainHeaders(headers: unknown): HeaderBag | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const out: HeaderBag = {};
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value)) {
      out[key.toLowerCase()] = value as string | number | string[];
    }
  }
  return out;
}

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** twitter-api-v2 keeps what it was built from in a hidden `_options`. */
function hiddenOptions(error: object): Record<string, unknown> | undefined {
  const options = (error as { _options?: unknown })._options;
  return options && typeof options === 'object' ? (options as Record<string, unknown>) : undefined;
}

/** The normalised facts of a failed call, with nothing that could carry credentials. */
export function toXFailureInput(
  error: unknown,
  operation?: XOperation,
  nowMs?: number,
): XFailureInput {
  if (error instanceof ApiResponseError) {
    return {
      httpStatus: error.code,
      headers: plainHeaders(error.headers),
      // twitter-api-v2 rewrites `{"error": "…"}` bodies into a fake legacy code 131 (internal
      // error); classify what X actually sent.
      body: hiddenOptions(error)?.data ?? error.data,
      operation,
      nowMs,
    };
  }
  if (error instanceof ApiPartialResponseError) {
    const response = error.response;
    const cause = error.responseError;
    const abruptlyClosed = /abruptly closed|interrupted/i.test(
      `${error.message} ${cause?.message ?? ''}`,
    );
    return {
      httpStatus: response?.statusCode,
      headers: plainHeaders(response?.headers),
      body: error.rawContent,
      networkError: abruptlyClosed
        ? { code: errorCode(cause), message: cause?.message }
        : undefined,
      operation,
      nowMs,
    };
  }
  if (error instanceof ApiRequestError) {
    // 1.29's `requestError` getter reads a field that is never set; the cause is in `error`.
    const hidden = hiddenOptions(error)?.error;
    const cause = (hidden instanceof Error ? hidden : undefined) ?? error.requestError;
    return {
      networkError: { code: errorCode(cause), message: cause?.message ?? error.message },
      operation,
      nowMs,
    };
  }
  if (error instanceof Error) {
    return { networkError: { code: errorCode(error), message: error.message }, operation, nowMs };
  }
  return { body: typeof error === 'string' ? error : undefined, operation, nowMs };
}

export function classifyXResponseError(
  error: unknown,
  operation?: XOperation,
  nowMs?: number,
): XError {
  return classifyXFailure(toXFailureInput(error, operation, nowMs));
}

const secretKeyPattern = /token|secret|authorization|cookie|password|oauth|signature|credential/i;
const secretValuePattern = /\b(Bearer|Basic|OAuth)\s+[^\s,;]+/gi;

/** A copy safe for a log line: credential-looking keys and header values are blanked. */
export function redactForLog(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (typeof value === 'string') {
    const redacted = value.replace(secretValuePattern, '$1 [redacted]');
    return redacted.length > 4000 ? `${redacted.slice(0, 4000)}…` : redacted;
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactForLog(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = secretKeyPattern.test(key) ? '[redacted]' : redactForLog(item, depth + 1);
    }
    return out;
  }
  return value;
}

const loggedHeaders = [
  'content-type',
  'x-rate-limit-limit',
  'x-rate-limit-remaining',
  'x-rate-limit-reset',
  'x-user-limit-24hour-limit',
  'x-user-limit-24hour-remaining',
  'x-user-limit-24hour-reset',
  'x-app-limit-24hour-limit',
  'x-app-limit-24hour-remaining',
  'x-app-limit-24hour-reset',
  'x-transaction-id',
  'retry-after',
];

/** The raw answer as it may be logged: status, the headers that matter, the redacted body. */
export function rawResponseForLog(input: XFailureInput): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const name of loggedHeaders) {
    const value = input.headers?.[name];
    if (value !== undefined) headers[name] = value;
  }
  return {
    httpStatus: input.httpStatus,
    headers,
    body: redactForLog(input.body),
    networkError: input.networkError ? redactForLog(input.networkError) : undefined,
  };
}
