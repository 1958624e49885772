/**
 * Personal result links: `${publicBaseUrl}/r/<campaign>/<x user>/<token>`. X user ids are public,
 * so the token — an HMAC keyed by the campaign's secret seed — is what keeps one participant
 * from reading another's result (and prize code).
 *
 * Unlike the rest of domain/, this module uses `node:crypto`: activities and API only, never
 * imported by workflow code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Versioned and domain-separated, so the seed's other uses can never produce a valid token. */
const tokenMessagePrefix = 'result-link:v1:';
/** 128 bits: unguessable, and short enough for a DM or a reply. */
const tokenBytes = 16;

function tokenDigest(secretSeed: string, xUserId: string): Buffer {
  // An empty key would make every token computable by anyone.
  if (secretSeed === '') throw new Error('a result link needs the campaign secret seed');
  return createHmac('sha256', secretSeed)
    .update(`${tokenMessagePrefix}${xUserId}`, 'utf8')
    .digest()
    .subarray(0, tokenBytes);
}

/** The participant's token: base64url of the first 16 bytes of HMAC-SHA256. Throws on an empty seed. */
export function resultLinkToken(secretSeed: string, xUserId: string): string {
  return tokenDigest(secretSeed, xUserId).toString('base64url');
}

/** The participant's personal result page link; a trailing slash on the base is not doubled. */
export function resultUrl(
  publicBaseUrl: string,
  campaignId: string,
  xUserId: string,
  secretSeed: string,
): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const token = resultLinkToken(secretSeed, xUserId);
  return `${base}/r/${encodeURIComponent(campaignId)}/${encodeURIComponent(xUserId)}/${token}`;
}

/** Whether `token` is this participant's token, compared in constant time; never throws. */
export function verifyResultLinkToken(secretSeed: string, xUserId: string, token: string): boolean {
  if (secretSeed === '') return false;
  const expected = Buffer.from(resultLinkToken(secretSeed, xUserId), 'utf8');
  const actual = Buffer.from(token, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
