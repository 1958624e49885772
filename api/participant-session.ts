/**
 * A participant's sign-in on a campaign page, kept only in their browser: a cookie
 * `campaignId.xUserId.expiry.mac` (expiry in epoch seconds, mac = HMAC-SHA256 under a key derived
 * from the deployment's encryption key). Nothing is stored server-side and no X token is kept:
 * the cookie says "X told us, less than an hour ago, that this browser is this X user", for one
 * campaign. CSRF tokens for the page's forms are MACs of the same key over what authorises the form.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const PARTICIPANT_SESSION_COOKIE = 'kuji_participant';
export const PARTICIPANT_SESSION_LIFETIME_MS = 60 * 60_000;

const sessionKeyInfo = 'kuji participant session v1';
const xUserIdPattern = /^[0-9]{1,19}$/;

export interface ParticipantSession {
  campaignId: string;
  xUserId: string;
  expiresAt: Date;
}

/** The MAC key of sessions and CSRF tokens, derived so it can never decrypt a credential. */
export function deriveSessionKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), sessionKeyInfo, 32));
}

function mac(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The cookie's value for a participant signed in now. */
export function sessionValue(
  key: Buffer,
  input: { campaignId: string; xUserId: string; now: Date },
): string {
  const expiry = Math.floor((input.now.getTime() + PARTICIPANT_SESSION_LIFETIME_MS) / 1000);
  const body = `${input.campaignId}.${input.xUserId}.${expiry}`;
  return `${body}.${mac(key, `session:${body}`)}`;
}

/** The session a cookie value proves, or undefined when forged, altered, malformed or expired. */
export function readSession(
  key: Buffer,
  value: string | undefined,
  now: Date,
): ParticipantSession | undefined {
  if (!value || value.length > 256) return undefined;
  const parts = value.split('.');
  if (parts.length !== 4) return undefined;
  const [campaignId = '', xUserId = '', expiry = '', given = ''] = parts;
  if (!xUserIdPattern.test(xUserId) || !/^[0-9]{1,12}$/.test(expiry)) return undefined;
  if (!sameText(mac(key, `session:${campaignId}.${xUserId}.${expiry}`), given)) return undefined;
  const expiresAt = new Date(Number(expiry) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { campaignId, xUserId, expiresAt };
}

/** The Set-Cookie header value; Secure when the public base URL is https. */
export function sessionCookie(value: string, secure: boolean): string {
  const maxAge = Math.floor(PARTICIPANT_SESSION_LIFETIME_MS / 1000);
  return `${PARTICIPANT_SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie header value that signs the participant out. */
export function clearedSessionCookie(secure: boolean): string {
  return `${PARTICIPANT_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** The session cookie's value from a Cookie header, if any. */
export function sessionCookieFrom(header: string | undefined): string | undefined {
  return cookieFrom(header, PARTICIPANT_SESSION_COOKIE);
}

/** A cookie's value from a Cookie header, if any (also the console session's cookie). */
export function cookieFrom(header: string | undefined, cookie: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookie) return rest.join('=');
  }
  return undefined;
}

/**
 * The pre-auth cookie of a sign-in: a random nonce set when this browser starts sign-in, whose
 * hash is stored with the OAuth state. The callback signs in only the browser that holds it, so
 * a callback link someone else started (their own consent, sent to a victim as "you won") gives
 * the victim no session of theirs (login CSRF). It lives as long as the state (10 minutes).
 *
 * Each sign-in has its own cookie, named after its state (`kuji_signin_<first 16 hex of the
 * state's SHA-256>`): two sign-ins pending in one browser (two campaigns, or a second tap) do not
 * overwrite each other, and a callback touches only its own state's cookie.
 */
export const PARTICIPANT_SIGNIN_COOKIE_PREFIX = 'kuji_signin_';
export const SIGNIN_NONCE_LIFETIME_MS = 10 * 60_000;

export function createSignInNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** The sign-in cookie's name for an OAuth state (the state itself is never in it). */
export function signInCookieName(state: string): string {
  const hash = createHash('sha256').update(state, 'utf8').digest('hex');
  return `${PARTICIPANT_SIGNIN_COOKIE_PREFIX}${hash.slice(0, 16)}`;
}

/** What is stored with the state: the nonce's SHA-256 (hex), never the nonce. */
export function hashSignInNonce(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('hex');
}

/** Whether the browser's nonce is the one the state was started with. */
export function signInNonceMatches(nonce: string | undefined, storedHash: string | null): boolean {
  if (!nonce || nonce.length > 128 || !storedHash) return false;
  return sameText(hashSignInNonce(nonce), storedHash);
}

function signInCookieFlags(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function signInNonceCookie(state: string, nonce: string, secure: boolean): string {
  const maxAge = Math.floor(SIGNIN_NONCE_LIFETIME_MS / 1000);
  return `${signInCookieName(state)}=${nonce}; Max-Age=${maxAge}; ${signInCookieFlags(secure)}`;
}

export function clearedSignInNonceCookie(state: string, secure: boolean): string {
  return `${signInCookieName(state)}=; Max-Age=0; ${signInCookieFlags(secure)}`;
}

/** The nonce of the sign-in started with `state`, from a Cookie header, if any. */
export function signInNonceFrom(header: string | undefined, state: string): string | undefined {
  return cookieFrom(header, signInCookieName(state));
}

/**
 * The CSRF token of a form: a MAC over what authorises it (the session cookie's value, or the
 * result link's token), so another site can neither read nor forge it.
 */
export function csrfToken(key: Buffer, credential: string): string {
  return mac(key, `csrf:${credential}`);
}

export function checkCsrfToken(key: Buffer, credential: string, given: unknown): boolean {
  return typeof given === 'string' && sameText(csrfToken(key, credential), given);
}
