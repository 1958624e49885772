/**
 * Personal result links: `${publicBaseUrl}/r/<campaign>/<x user>/<token>`. X user ids are public,
 * so the token — an HMAC keyed by the campaign's secret seed — is what keeps one participant
 * from reading another's result (and prize code).
 *
 */
import { constantTimeEqual, hmacSha256, toBase64Url } from './sha256';

/** Versioned and domain-separated, so the seed's other uses can never produce a valid token. */
const tokenMessagePrefix = 'result-link:v1:';
/** 128 bits: unguessable, and short enough for a DM or a reply. */
const tokenBytes = 16;

function tokenDigest(secretSeed: string, xUserId: string): Uint8Array {
  // An empty key would make every token computable by anyone.
  if (secretSeed === '') throw new Error('a result link needs the campaign secret seed');
  return hmacSha256(secretSeed, `${tokenMessagePrefix}${xUserId}`).subarray(0, tokenBytes);
}

/** The participant's token: base64url of the first 16 bytes of HMAC-SHA256. Throws on an empty seed. */
export function resultLinkToken(secretSeed: string, xUserId: string): string {
  return toBase64Url(tokenDigest(secretSeed, xUserId));
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
  return constantTimeEqual(resultLinkToken(secretSeed, xUserId), token);
}
