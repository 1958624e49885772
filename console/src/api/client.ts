/**
 * The console's client of Kuji's public API: openapi-fetch typed by schema.d.ts (generated from
 * the API's OpenAPI document). The session cookie rides along (same origin); every change carries
 * the session's CSRF token; a 401 sends the person to the sign-in page.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export type { paths } from './schema';

let csrfToken: string | null = null;

/** The CSRF token of the signed-in session (from sign-in or GET /v1/console/session). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const listeners = new Set<() => void>();

/** Called when the API answers 401: the session has ended (expired, signed out, key revoked). */
export function onSignedOut(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && unsafeMethods.has(request.method)) {
      request.headers.set('x-csrf-token', csrfToken);
    }
    return request;
  },
  onResponse({ request, response }) {
    const url = new URL(request.url);
    if (response.status === 401 && url.pathname !== '/v1/console/session') {
      for (const listener of listeners) listener();
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
});
api.use(session);

/** The API's error body: a stable code, a message, and per-field details for validation. */
export interface ApiError {
  status: number;
  code: string;
  message: string;
  /** Validation failures: `[{ path, message }]`; other errors may carry their own shape. */
  details?: unknown;
}

/** The error an openapi-fetch result carries, as an ApiError (network failures included). */
export function apiError(error: unknown, response?: Response): ApiError {
  const status = response?.status ?? 0;
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const body = error as { code: unknown; message: unknown; details?: unknown };
    return {
      status,
      code: String(body.code),
      message: String(body.message),
      ...(body.details !== undefined ? { details: body.details } : {}),
    };
  }
  const ja = document.documentElement.lang !== 'en';
  return {
    status,
    code: status ? `http_${status}` : 'network',
    message: status
      ? ja
        ? `API が HTTP ${status} を返しました`
        : `The API answered HTTP ${status}`
      : ja
        ? 'API に接続できませんでした'
        : 'The API could not be reached',
  };
}

/** Thrown by `must()` so a page's loader reports the API's error. */
export class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

/** The data of an openapi-fetch result, or throws its ApiError. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new ApiFailure(apiError(result.error, result.response));
  }
  return result.data;
}
