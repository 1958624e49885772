/**
 * OAuth 2.0 user tokens expire after about two hours and X rotates the refresh token on every
 * use: the old one is dead once spent. Two activities refreshing at once would each spend the
 * same refresh token and one of them would store a dead pair. So a refresh happens only under
 * `select … for update` on the account row: the second caller waits, then finds a fresh pair and
 * uses it instead of refreshing again.
 */
import { makeXError } from '../domain/x-errors';
import { XCallError, callX } from './api';
import { createOAuth2AppClient, type XClientOptions } from './client';
import {
  type CredentialsEnvelopeStore,
  encryptCredentials,
  loadAccountCredentials,
  type OAuth2Credentials,
  openStoredEnvelope,
  type StoredCredentials,
  type XCredentials,
} from './credentials';

/** Refresh this long before X's expiry, so a token never expires mid-call. */
export const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;

export interface TokenRefreshDeps {
  /** Where the envelopes are kept: `credentialsEnvelopeStore(db)` (db/repositories). */
  envelopes: CredentialsEnvelopeStore;
  credentialsKey: Buffer;
  clientOptions?: XClientOptions;
  now?: () => number;
  refreshSkewMs?: number;
}

export function needsRefresh(
  credentials: XCredentials,
  nowMs: number,
  skewMs = DEFAULT_REFRESH_SKEW_MS,
): boolean {
  if (credentials.kind !== 'oauth2') return false;
  return Date.parse(credentials.expiresAt) - skewMs <= nowMs;
}

async function exchangeRefreshToken(
  credentials: OAuth2Credentials,
  clientOptions: XClientOptions | undefined,
  nowMs: number,
): Promise<OAuth2Credentials> {
  const refreshToken = credentials.refreshToken;
  if (!refreshToken) {
    throw new XCallError(
      makeXError('auth_token_invalid', {
        xDetail:
          'The access token expired and no refresh token was granted (offline.access missing).',
      }),
    );
  }
  const appClient = createOAuth2AppClient(credentials, clientOptions);
  const result = await callX(
    'token_refresh',
    () => appClient.refreshOAuth2Token(refreshToken),
    nowMs,
  );
  return {
    ...credentials,
    accessToken: result.accessToken,
    // X rotates the refresh token; keep the old one only if X (unusually) sent none.
    refreshToken: result.refreshToken ?? refreshToken,
    expiresAt: new Date(nowMs + result.expiresIn * 1000).toISOString(),
    scopes: result.scope.length > 0 ? result.scope : credentials.scopes,
  };
}

/**
 * Returns credentials that are valid for at least the skew, refreshing under the row lock when
 * needed. Safe to call from any number of activities and processes at once.
 */
export async function ensureFreshCredentials(
  deps: TokenRefreshDeps,
  accountId: string,
): Promise<StoredCredentials> {
  const now = deps.now ?? Date.now;
  const skewMs = deps.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS;
  const current = await loadAccountCredentials(deps.envelopes, deps.credentialsKey, accountId);
  if (!needsRefresh(current.credentials, now(), skewMs)) return current;

  try {
    return await refreshUnderLock(deps, accountId, now, skewMs);
  } catch (error) {
    // X refused the refresh token (invalid_grant): it is spent or revoked, and the access token
    // has expired. Nothing usable is left, so the account is disconnected and every later call
    // fails at once as unlinked instead of asking X again with the same dead token.
    if (error instanceof XCallError && error.xError.code === 'auth_refresh_rejected') {
      await deps.envelopes.clear(accountId);
      await deps.envelopes.markDisconnected(accountId);
    }
    throw error;
  }
}

async function refreshUnderLock(
  deps: TokenRefreshDeps,
  accountId: string,
  now: () => number,
  skewMs: number,
): Promise<StoredCredentials> {
  return deps.envelopes.withLocked(accountId, async (row, replaceIfVersion) => {
    const stored = openStoredEnvelope(deps.credentialsKey, accountId, row);
    const locked = stored.credentials;
    // Someone refreshed while we waited for the lock: their pair is the live one.
    if (locked.kind !== 'oauth2' || !needsRefresh(locked, now(), skewMs)) return stored;

    const refreshed = await exchangeRefreshToken(locked, deps.clientOptions, now());
    // Under the lock nobody else writes: the compare and set always finds its version.
    const version = await replaceIfVersion(
      stored.version,
      encryptCredentials(deps.credentialsKey, accountId, refreshed),
    );
    if (version === undefined) {
      throw new Error(`credentials of ${accountId} changed under the refresh lock`);
    }
    return { ...stored, version, credentials: refreshed };
  });
}
