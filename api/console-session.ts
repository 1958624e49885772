/**
 * An operator's sign-in to the console: a random token in an HttpOnly cookie `kuji_console`,
 * stored server-side only as its SHA-256 in `console_sessions` (any API replica accepts it; a
 * copy of the table signs nobody in). It lives 12 hours from sign-in, never longer, and dies with
 * its API key.
 *
 * CSRF: SameSite=Strict keeps the cookie off cross-site requests, and every unsafe method with the
 * cookie also needs the header `x-csrf-token`, which another site can neither read nor forge. The
 * token is HMAC-SHA256 keyed by the session token, so it is derived rather than stored: the
 * console reads it again after a reload (`GET /v1/console/session` answers it), every tab shares
 * it, and nothing in the database yields it (the table holds only the session token's hash).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/client';
import {
  type ConsoleSession,
  findLiveConsoleSession,
  revokeConsoleSession,
} from '../db/repositories/console-sessions';
import { AppError } from './errors';
import { cookieFrom } from './participant-session';

export const CONSOLE_SESSION_COOKIE = 'kuji_console';
export const CONSOLE_CSRF_HEADER = 'x-csrf-token';
export const CONSOLE_SESSION_LIFETIME_MS = 12 * 60 * 60_000;

/** 32 random bytes, base64url: exactly 43 characters. */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createConsoleSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored: the token's SHA-256 (hex); the token has 256 bits, so no salt or stretching. */
export function hashConsoleSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The session's CSRF token (see the file comment). */
export function consoleCsrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('kuji console csrf v1').digest('base64url');
}

/** Whether `given` is the session's CSRF token, compared in constant time. */
export function consoleCsrfTokenMatches(sessionToken: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(consoleCsrfToken(sessionToken)), digest(given));
}

/** The session token from a Cookie header, when it has a token's shape. */
export function consoleSessionTokenFrom(header: string | undefined): string | undefined {
  const value = cookieFrom(header, CONSOLE_SESSION_COOKIE);
  return value && tokenPattern.test(value) ? value : undefined;
}

/** Secure cookies when this request came over https or the public base URL is https. */
export function secureConsoleCookies(request: FastifyRequest, publicBaseUrl?: string): boolean {
  return request.protocol === 'https' || Boolean(publicBaseUrl?.startsWith('https:'));
}

const cookieFlags = (secure: boolean) =>
  `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/** The Set-Cookie header value of a session signed in at `now`, expiring at `expiresAt`. */
export function consoleSessionCookie(
  token: string,
  times: { now: Date; expiresAt: Date },
  secure: boolean,
): string {
  const maxAge = Math.max(0, Math.floor((times.expiresAt.getTime() - times.now.getTime()) / 1000));
  return `${CONSOLE_SESSION_COOKIE}=${token}; Max-Age=${maxAge}; ${cookieFlags(secure)}`;
}

/** The Set-Cookie header value that signs the console out. */
export function clearedConsoleSessionCookie(secure: boolean): string {
  return `${CONSOLE_SESSION_COOKIE}=; Max-Age=0; ${cookieFlags(secure)}`;
}

export const consoleSessionEnded = () =>
  new AppError(
    401,
    'unauthorized',
    'Console session expired, signed out, or its API key revoked: sign in again / ' +
      'コンソールのセッションが切れたか、サインアウト済みか、API キーが無効です。もう一度サインインしてください',
  );

export const csrfFailed = () =>
  new AppError(
    403,
    'csrf_failed',
    `With the console session cookie, this method needs the header \`${CONSOLE_CSRF_HEADER}\` ` +
      'set to the `csrfToken` from `POST` or `GET /v1/console/session` / ' +
      `コンソールのセッションでこの操作をするには、\`${CONSOLE_CSRF_HEADER}\` ヘッダーに ` +
      '`/v1/console/session` が返した `csrfToken` を付けてください',
  );

export interface ConsoleSessionRequestContext {
  token: string;
  session: ConsoleSession;
}

/**
 * The live session of the request's cookie: undefined without the cookie, 401 when the session
 * is dead, 403 `csrf_failed` on an unsafe method without the right `x-csrf-token`.
 */
export async function consoleSessionOf(
  db: Db,
  request: FastifyRequest,
  now: Date,
): Promise<ConsoleSessionRequestContext | undefined> {
  const cookie = cookieFrom(request.headers.cookie, CONSOLE_SESSION_COOKIE);
  if (cookie === undefined) return undefined;
  const token = consoleSessionTokenFrom(request.headers.cookie);
  const session = token && (await findLiveConsoleSession(db, hashConsoleSessionToken(token), now));
  if (!token || !session) throw consoleSessionEnded();
  if (
    !safeMethods.has(request.method) &&
    !consoleCsrfTokenMatches(token, request.headers[CONSOLE_CSRF_HEADER])
  ) {
    throw csrfFailed();
  }
  return { token, session };
}

/**
 * Ends the live session of the request's cookie, if any, and answers it: a browser signing in
 * again leaves no older session of its own alive. No CSRF check: sign-in is public, and the
 * SameSite=Strict cookie never comes with another site's request.
 */
export async function endConsoleSessionOfCookie(
  db: Db,
  request: FastifyRequest,
  now: Date,
): Promise<ConsoleSession | undefined> {
  const token = consoleSessionTokenFrom(request.headers.cookie);
  if (!token) return undefined;
  const tokenHash = hashConsoleSessionToken(token);
  const session = await findLiveConsoleSession(db, tokenHash, now);
  if (!session || !(await revokeConsoleSession(db, tokenHash, now))) return undefined;
  return session;
}
