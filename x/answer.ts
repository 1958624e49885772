/**
 * What a successful-looking answer of X really says. X can answer 200 or 201 with `errors` and
 * no usable `data` (`"data": {}`, a DM send without `dm_event_id`): that is a refusal, never a
 * success. Each call names what makes its data usable; anything less becomes an `XCallError`
 * classified from the errors X sent, with the status X sent and the redacted raw answer.
 */
import type { TwitterResponse } from 'twitter-api-v2';
import {
  classifyPartialErrors,
  classifyXFailure,
  makeXError,
  type XError,
  type XFailureInput,
  type XOperation,
} from '../domain/x-errors';
import { plainHeaders, rawResponseForLog } from './classify-response';

export class XCallError extends Error {
  override name = 'XCallError';
  constructor(
    readonly xError: XError,
    /** Redacted raw answer (status, headers that matter, body), for the log. */
    readonly raw?: Record<string, unknown>,
    /**
     * Log the raw answer even when classified: X answered 2xx but refused, or nothing was
     * recognised (`unknown`).
     */
    readonly logRaw: boolean = xError.category === 'unknown',
  ) {
    super(`${xError.code}: ${xError.reason.en}`);
  }
}

type Json = Record<string, unknown>;

/** twitter-api-v2's per-request debug hook (its type is not exported). */
type RequestEventHandler = (event: string, data?: unknown) => void;

/** An answer twitter-api-v2 resolved (status < 400), with the status it does not pass on. */
export interface XAnswer {
  httpStatus?: number;
  headers: XFailureInput['headers'];
  body: Json;
}

/** The socket events twitter-api-v2 forwards to the debug hook, one listener each per request. */
const FORWARDED_SOCKET_EVENTS = ['error', 'connect', 'close', 'end', 'lookup', 'timeout'] as const;

interface ListenerHolder {
  rawListeners(event: string): unknown[];
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

function isListenerHolder(value: unknown): value is ListenerHolder {
  const candidate = value as Partial<ListenerHolder> | null | undefined;
  return (
    typeof candidate?.rawListeners === 'function' && typeof candidate.removeListener === 'function'
  );
}

/**
 * twitter-api-v2, when given a debug hook, adds six forwarding listeners to the request's socket
 * right after it passes the socket to the hook, and never removes them. Kuji's agent keeps
 * sockets alive, so each request on a reused socket would leave six more behind (a leak, and
 * MaxListenersExceededWarning after ten). The hook ignores those events, so they are removed:
 * for each event, the first listener added after the hook saw the socket is the library's (it
 * adds them in the same `socket` event, before Node's own later `once` listeners, which are
 * left alone).
 */
function dropForwardingListeners(socket: ListenerHolder): void {
  const before = new Map(
    FORWARDED_SOCKET_EVENTS.map((event) => [event, new Set(socket.rawListeners(event))]),
  );
  queueMicrotask(() => {
    for (const event of FORWARDED_SOCKET_EVENTS) {
      const known = before.get(event);
      const added = socket.rawListeners(event).find((listener) => !known?.has(listener));
      // A `once` wrapper carries `.listener`: never the library's (it uses `on`).
      if (typeof added === 'function' && !('listener' in added)) {
        socket.removeListener(event, added as (...args: unknown[]) => void);
      }
    }
  });
}

/**
 * twitter-api-v2 drops the status of a successful answer; its per-request debug hook sees the
 * response. Pass `options` with the request and read `answer()` after it resolved.
 */
export function answerRecorder(): {
  options: { requestEventDebugHandler: RequestEventHandler };
  answer: (response: TwitterResponse<unknown>) => XAnswer;
} {
  let httpStatus: number | undefined;
  return {
    options: {
      requestEventDebugHandler: (event: string, data?: unknown) => {
        if (event === 'socket') {
          const socket = (data as { socket?: unknown } | undefined)?.socket;
          if (isListenerHolder(socket)) dropForwardingListeners(socket);
          return;
        }
        if (event !== 'response') return;
        const status = (data as { res?: { statusCode?: unknown } } | undefined)?.res?.statusCode;
        if (typeof status === 'number') httpStatus = status;
      },
    },
    answer: (response) => ({
      httpStatus,
      headers: plainHeaders(response.headers),
      body:
        response.data && typeof response.data === 'object' && !Array.isArray(response.data)
          ? (response.data as Json)
          : {},
    }),
  };
}

function failureInput(answer: XAnswer, operation: XOperation): XFailureInput {
  return { httpStatus: answer.httpStatus, headers: answer.headers, body: answer.body, operation };
}

/**
 * The answer's `data` when `isUsable` accepts it; otherwise throws the refusal X sent, classified
 * from its errors (`unknown` when it sent none), logged raw.
 */
export function usableData(
  answer: XAnswer,
  operation: XOperation,
  isUsable: (data: Json) => boolean,
): Json {
  const data = answer.body.data;
  if (data && typeof data === 'object' && !Array.isArray(data) && isUsable(data as Json))
    return data as Json;
  const input = failureInput(answer, operation);
  const hasErrors = Array.isArray(answer.body.errors) && answer.body.errors.length > 0;
  const xError = hasErrors
    ? classifyXFailure(input)
    : makeXError('unknown', {
        httpStatus: answer.httpStatus,
        xDetail: 'X answered success without the data the call needs and without errors.',
      });
  throw new XCallError(xError, rawResponseForLog(input), true);
}

/** Problems X reported beside usable data, classified one by one, and the raw answer to log. */
export function partialErrorsOf(
  answer: XAnswer,
  operation: XOperation,
): { partialErrors: XError[]; rawPartialErrors?: Record<string, unknown> } {
  const partialErrors = classifyPartialErrors(answer.body.errors, operation).map((error) =>
    answer.httpStatus === undefined ? error : { ...error, httpStatus: answer.httpStatus },
  );
  if (partialErrors.length === 0) return { partialErrors };
  const raw = rawResponseForLog({
    ...failureInput(answer, operation),
    body: { errors: answer.body.errors },
  });
  return { partialErrors, rawPartialErrors: raw };
}

export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
