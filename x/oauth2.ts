/**
 * Linking a sender account with X's OAuth 2.0 Authorization Code Flow with PKCE (confidential
 * client): the authorize URL, the code exchange at `POST /2/oauth2/token`, who signed in
 * (`GET /2/users/me`) and revocation (`POST /2/oauth2/revoke`). The exchange and revocation go
 * through twitter-api-v2 with the same base-URL plugin as every other call, so the emulator
 * exercises the production code path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { callX, getMe } from './api';
import { createOAuth2AppClient, createXClient, type XClientOptions } from './client';
import type { OAuth2Credentials } from './credentials';

/** Where X's consent screen lives (its SDKs' default authorization base). */
export const X_AUTHORIZE_URL = 'https://x.com/i/oauth2/authorize';

/** What a sender account needs: read, post, DM, read follows and likes, and refresh tokens. */
export const SENDER_SCOPES = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'dm.read',
  'dm.write',
  'follows.read',
  'like.read',
  'offline.access',
] as const;

export interface XOAuthClient {
  clientId: string;
  clientSecret: string;
  /** X's authorize page, or the emulator's. */
  authorizeUrl: string;
  /** The callback registered in the developer portal: `<PUBLIC_BASE_URL>/v1/oauth/x/callback`. */
  redirectUri: string;
  /** Options of the API client (the emulator's base URL). */
  api: XClientOptions;
}

/** A PKCE verifier (43–128 characters of the unreserved set) and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A random, URL-safe `state` value. */
export function createOAuthState(): string {
  return randomBytes(32).toString('base64url');
}

export function buildAuthorizeUrl(
  client: XOAuthClient,
  input: { state: string; codeChallenge: string; scopes?: readonly string[] },
): string {
  const url = new URL(client.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: (input.scopes ?? SENDER_SCOPES).join(' '),
    state: input.state,
    code_challenge: input.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

export interface LinkedXUser {
  credentials: OAuth2Credentials;
  user: { id: string; username: string; name: string };
}

/**
 * Exchanges the code for a token pair and reads who signed in. Throws `XCallError` (classified,
 * `token_refresh` operation: a refused code is `auth_refresh_rejected`) when X refuses. When
 * reading who signed in fails, the fresh token is revoked at X before the error is thrown.
 */
export async function exchangeAuthorizationCode(
  client: XOAuthClient,
  input: { code: string; codeVerifier: string },
  nowMs: number = Date.now(),
): Promise<LinkedXUser> {
  const appClient = createOAuth2AppClient(client, client.api);
  const result = await callX(
    'token_refresh',
    () =>
      appClient.loginWithOAuth2({
        code: input.code,
        codeVerifier: input.codeVerifier,
        redirectUri: client.redirectUri,
      }),
    nowMs,
  );
  const credentials: OAuth2Credentials = {
    kind: 'oauth2',
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    accessToken: result.accessToken,
    ...(result.refreshToken ? { refreshToken: result.refreshToken } : {}),
    expiresAt: new Date(nowMs + result.expiresIn * 1000).toISOString(),
    scopes: result.scope,
  };
  let user;
  try {
    ({ user } = await getMe(createXClient(credentials, client.api)));
  } catch (error) {
    // Nobody will ever use (or be able to revoke) a token whose owner Kuji could not read: it
    // goes back to X before the failure is reported. A failed revocation must not hide why.
    await revokeOAuth2Credentials(client, credentials).catch(() => undefined);
    throw error;
  }
  return {
    credentials: { ...credentials, userId: user.id },
    user: { id: user.id, username: user.username, name: user.name },
  };
}

/** Revokes a token at X; the refresh token too when there is one. */
export async function revokeOAuth2Credentials(
  client: Pick<XOAuthClient, 'clientId' | 'clientSecret' | 'api'>,
  credentials: OAuth2Credentials,
): Promise<void> {
  const appClient = createOAuth2AppClient(
    {
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret ?? client.clientSecret,
    },
    client.api,
  );
  if (credentials.refreshToken) {
    const refreshToken = credentials.refreshToken;
    await callX('token_refresh', () => appClient.revokeOAuth2Token(refreshToken, 'refresh_token'));
  }
  await callX('token_refresh', () =>
    appClient.revokeOAuth2Token(credentials.accessToken, 'access_token'),
  );
}
