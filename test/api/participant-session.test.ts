/** The participant session cookie and CSRF tokens (api/participant-session.ts), without a server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCsrfToken,
  clearedSessionCookie,
  csrfToken,
  deriveSessionKey,
  PARTICIPANT_SESSION_LIFETIME_MS,
  readSession,
  sessionCookie,
  sessionCookieFrom,
  sessionValue,
} from '../../api/participant-session';

const key = deriveSessionKey(Buffer.alloc(32, 7));
const now = new Date('2026-12-03T12:00:00.000Z');
const session = { campaignId: 'spring-lottery', xUserId: '1790000000000000101', now };

describe('participant sessions', () => {
  it('derive their key from the encryption key (HKDF), never using it directly', () => {
    assert.equal(key.length, 32);
    assert.notDeepEqual(key, Buffer.alloc(32, 7));
    assert.deepEqual(deriveSessionKey(Buffer.alloc(32, 7)), key);
    assert.notDeepEqual(deriveSessionKey(Buffer.alloc(32, 8)), key);
  });

  it('last one hour: valid until then, refused from then on', () => {
    const value = sessionValue(key, session);
    const read = readSession(key, value, new Date(now.getTime() + 59 * 60_000));
    assert.deepEqual(read, {
      campaignId: session.campaignId,
      xUserId: session.xUserId,
      expiresAt: new Date(now.getTime() + PARTICIPANT_SESSION_LIFETIME_MS),
    });
    assert.equal(readSession(key, value, new Date(now.getTime() + 60 * 60_000)), undefined);
    assert.equal(readSession(deriveSessionKey(Buffer.alloc(32, 8)), value, now), undefined);
  });

  it('are Secure only when the public base URL is https, and always HttpOnly, SameSite=Lax, Path=/', () => {
    const value = sessionValue(key, session);
    assert.equal(
      sessionCookie(value, true),
      `kuji_participant=${value}; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure`,
    );
    assert.ok(!sessionCookie(value, false).includes('Secure'));
    assert.equal(
      clearedSessionCookie(true),
      'kuji_participant=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('are read from a Cookie header among others', () => {
    assert.equal(sessionCookieFrom('a=1; kuji_participant=x.y.z; b=2'), 'x.y.z');
    assert.equal(sessionCookieFrom('a=1'), undefined);
    assert.equal(sessionCookieFrom(undefined), undefined);
  });

  it('give CSRF tokens bound to what authorises the form', () => {
    const token = csrfToken(key, 'session:abc');
    assert.equal(checkCsrfToken(key, 'session:abc', token), true);
    assert.equal(checkCsrfToken(key, 'session:abd', token), false);
    assert.equal(checkCsrfToken(key, 'session:abc', undefined), false);
    assert.equal(checkCsrfToken(key, 'session:abc', token.slice(1)), false);
  });
});
