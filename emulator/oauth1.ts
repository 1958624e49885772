/**
 * OAuth 1.0a (RFC 5849) HMAC-SHA1 verification, as X checks user-context requests: the base
 * string of method, URL and sorted parameters, signed with the consumer secret and token secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parameters of an `Authorization: OAuth k="v", …` header, decoded. */
export function parseOAuthHeader(header: string): Record<string, string> | undefined {
  if (!/^OAuth\s+/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.replace(/^OAuth\s+/i, '').matchAll(/([\w.-]+)="([^"]*)"/g)) {
    const [, key, value] = match;
    if (key) params[decodeURIComponent(key)] = decodeURIComponent(value ?? '');
  }
  return params;
}

export function signatureBaseString(
  method: string,
  baseUrl: string,
  params: [string, string][],
): string {
  const encoded = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [method.toUpperCase(), percentEncode(baseUrl), percentEncode(encoded)].join('&');
}

export function hmacSha1Signature(
  baseString: string,
  consumerSecret: string,
  tokenSecret: string,
): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`)
    .update(baseString)
    .digest('base64');
}

export function verifyOAuth1Signature(input: {
  method: string;
  /** Scheme, host (with non-default port) and path, no query. */
  baseUrl: string;
  query: URLSearchParams;
  /** Form-encoded body parameters (JSON bodies are not signed). */
  form?: URLSearchParams;
  oauth: Record<string, string>;
  consumerSecret: string;
  tokenSecret: string;
}): boolean {
  const received = input.oauth.oauth_signature;
  if (!received || input.oauth.oauth_signature_method !== 'HMAC-SHA1') return false;
  const params: [string, string][] = [];
  for (const [key, value] of Object.entries(input.oauth)) {
    if (key !== 'oauth_signature' && key !== 'realm') params.push([key, value]);
  }
  for (const [key, value] of input.query) params.push([key, value]);
  for (const [key, value] of input.form ?? []) params.push([key, value]);
  const expected = hmacSha1Signature(
    signatureBaseString(input.method, input.baseUrl, params),
    input.consumerSecret,
    input.tokenSecret,
  );
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
