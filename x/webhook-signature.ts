/**
 * X webhook security: the CRC challenge answer and the `x-twitter-webhooks-signature` of each
 * delivered body, both base64 HMAC-SHA256 keyed with the app's consumer secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

function hmacBase64(consumerSecret: string, payload: string | Buffer): string {
  return createHmac('sha256', consumerSecret).update(payload).digest('base64');
}

/** `GET ?crc_token=…` must answer `{ response_token: crcResponseToken(secret, crc_token) }`. */
export function crcResponseToken(consumerSecret: string, crcToken: string): string {
  return `sha256=${hmacBase64(consumerSecret, crcToken)}`;
}

/** The header value X sends with a delivery: `sha256=` + base64 HMAC of the raw body. */
export function signWebhookBody(consumerSecret: string, rawBody: string | Buffer): string {
  return `sha256=${hmacBase64(consumerSecret, rawBody)}`;
}

/** Checks a delivery against its signature header, in constant time. Needs the raw body bytes. */
export function verifyWebhookSignature(
  consumerSecret: string,
  rawBody: string | Buffer,
  signatureHeader: string | string[] | undefined,
): boolean {
  const received = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  if (!received) return false;
  const expected = Buffer.from(signWebhookBody(consumerSecret, rawBody));
  const actual = Buffer.from(received.trim());
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
