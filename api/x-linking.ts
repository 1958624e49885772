/**
 * Linking a sender account to X (OAuth 2.0 Authorization Code Flow with PKCE): the API's half.
 * `startLink` hands an admin X's authorize URL with a fresh single-use state; `finishLink`
 * is the callback's work once the state is spent: exchange the code, check who signed in, store
 * the token pair encrypted, audit. Every refusal stores nothing. The same callback finishes a
 * participant's sign-in (participant-signin.ts) when the state says so.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  accountHasCampaigns,
  findAccountById,
  markAccountDisconnected,
  recordAccountLink,
} from '../db/repositories/accounts';
import { insertAuditEntry } from '../db/repositories/audit-log';
import {
  clearAccountCredentials,
  credentialsEnvelopeStore,
} from '../db/repositories/credential-envelopes';
import {
  claimOAuthState,
  type ClaimOutcome,
  deleteStaleOAuthStates,
  insertOAuthState,
  OAUTH_STATE_LIFETIME_MS,
  type OAuthStateClaim,
} from '../db/repositories/oauth-states';
import { XCallError } from '../x/api';
import {
  loadAccountCredentials,
  MissingCredentialsError,
  storeAccountCredentials,
} from '../x/credentials';
import {
  buildAuthorizeUrl,
  createOAuthState,
  createPkcePair,
  exchangeAuthorizationCode,
  revokeOAuth2Credentials,
  type XOAuthClient,
} from '../x/oauth2';
import { AppError } from './errors';

export const CALLBACK_PATH = '/v1/oauth/x/callback';

/** What linking needs: the X app's OAuth 2.0 client and the key credentials are sealed with. */
export interface XLinking {
  client: XOAuthClient;
  credentialsKey: Buffer;
}

declare module 'fastify' {
  interface FastifyInstance {
    xLinking: XLinking | undefined;
  }
}

export const xLinkingPlugin = fp(function xLinking(
  app: FastifyInstance,
  options: { linking?: XLinking },
) {
  app.decorate('xLinking', options.linking);
});

export function requireLinking(app: FastifyInstance): XLinking {
  if (!app.xLinking) {
    throw new AppError(
      503,
      'x_linking_not_configured',
      'Linking X accounts needs X_CLIENT_ID, X_CLIENT_SECRET, PUBLIC_BASE_URL and KUJI_ENCRYPTION_KEY (see docs/x-account.md).',
    );
  }
  return app.xLinking;
}

export function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

/** A fresh authorize URL for the account, bound to the admin key that asked. */
export async function startLink(
  app: FastifyInstance,
  input: { accountId: string; requestedBy: string; now?: Date },
): Promise<{ authorizeUrl: string; expiresAt: string }> {
  const linking = requireLinking(app);
  const now = input.now ?? new Date();
  const state = createOAuthState();
  const pkce = createPkcePair();
  // States live a day past their end (to tell a replay from a forgery), then go.
  await deleteStaleOAuthStates(app.db, now);
  await insertOAuthState(app.db, {
    stateHash: hashState(state),
    accountId: input.accountId,
    requestedBy: input.requestedBy,
    codeVerifier: pkce.verifier,
    now,
  });
  return {
    authorizeUrl: buildAuthorizeUrl(linking.client, { state, codeChallenge: pkce.challenge }),
    expiresAt: new Date(now.getTime() + OAUTH_STATE_LIFETIME_MS).toISOString(),
  };
}

export type LinkOutcome =
  | { status: 'linked'; accountId: string; handle: string; relinked: boolean }
  | { status: 'denied' | 'state_unknown' | 'state_used' | 'state_expired' | 'bad_request' }
  | { status: 'exchange_failed'; code: string }
  | { status: 'wrong_user'; accountId: string; expectedHandle: string; signedInHandle: string }
  | { status: 'handle_taken'; handle: string };

export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
}

/**
 * Spends the callback's state. X calls back to one registered URL for every flow; the state's
 * purpose says which one (a sender account's link or a participant's sign-in) finishes it.
 */
export async function claimCallbackState(
  app: FastifyInstance,
  query: CallbackQuery,
): Promise<ClaimOutcome | { status: 'bad_request' }> {
  requireLinking(app);
  if (!query.state) return { status: 'bad_request' };
  return claimOAuthState(app.db, hashState(query.state), new Date());
}

/**
 * Finishes a sender account's link once its state is spent. Never throws for what X or the
 * person did, only for broken plumbing.
 */
export async function finishLink(
  app: FastifyInstance,
  claim: Extract<OAuthStateClaim, { purpose: 'account_link' }>,
  query: CallbackQuery,
): Promise<LinkOutcome> {
  const linking = requireLinking(app);
  const { accountId, requestedBy } = claim;
  const audit = (outcome: 'ok' | 'refused' | 'failed', details: Record<string, unknown>) =>
    insertAuditEntry(app.db, {
      actor: requestedBy,
      action: 'account.link',
      subject: accountId,
      outcome,
      details,
    });
  if (query.error || !query.code) {
    await audit('refused', { reason: query.error ?? 'no_code' });
    return { status: query.error === 'access_denied' ? 'denied' : 'bad_request' };
  }
  let linked;
  try {
    linked = await exchangeAuthorizationCode(linking.client, {
      code: query.code,
      codeVerifier: claim.codeVerifier,
    });
  } catch (error) {
    if (!(error instanceof XCallError)) throw error;
    await audit('failed', { reason: 'exchange_failed', code: error.xError.code });
    return { status: 'exchange_failed', code: error.xError.code };
  }
  const account = await findAccountById(app.db, accountId);
  if (!account) return { status: 'state_unknown' };
  const sameUser = account.xUserId === null || account.xUserId === linked.user.id;
  if (!sameUser && (await accountHasCampaigns(app.db, accountId))) {
    // The campaigns' audience and history belong to the first X user: refuse, and give the
    // token we will never use back to X.
    await revokeOAuth2Credentials(linking.client, linked.credentials).catch(() => undefined);
    await audit('refused', { reason: 'wrong_user', signedInAs: linked.user.id });
    return {
      status: 'wrong_user',
      accountId,
      expectedHandle: account.handle,
      signedInHandle: linked.user.username,
    };
  }
  if (
    !(await recordAccountLink(app.db, accountId, {
      handle: linked.user.username,
      xUserId: linked.user.id,
    }))
  ) {
    await revokeOAuth2Credentials(linking.client, linked.credentials).catch(() => undefined);
    await audit('refused', { reason: 'handle_taken', handle: linked.user.username });
    return { status: 'handle_taken', handle: linked.user.username };
  }
  await storeAccountCredentials(
    credentialsEnvelopeStore(app.db),
    linking.credentialsKey,
    accountId,
    linked.credentials,
  );
  const relinked = account.xUserId !== null;
  await audit('ok', { xUserId: linked.user.id, handle: linked.user.username, relinked });
  return { status: 'linked', accountId, handle: linked.user.username, relinked };
}

/**
 * Unlinks the account: revokes its OAuth 2.0 token at X, then clears it. Answers whether X
 * confirmed the revocation (the credentials are cleared either way).
 */
export async function disconnectAccount(
  app: FastifyInstance,
  accountId: string,
): Promise<{ wasLinked: boolean; revokedAtX: boolean; revokeError?: string }> {
  const linking = requireLinking(app);
  let stored;
  try {
    stored = await loadAccountCredentials(
      credentialsEnvelopeStore(app.db),
      linking.credentialsKey,
      accountId,
    );
  } catch (error) {
    if (!(error instanceof MissingCredentialsError)) throw error;
  }
  let revokedAtX = false;
  let revokeError: string | undefined;
  if (stored?.credentials.kind === 'oauth2') {
    try {
      await revokeOAuth2Credentials(linking.client, stored.credentials);
      revokedAtX = true;
    } catch (error) {
      if (!(error instanceof XCallError)) throw error;
      revokeError = error.xError.code;
    }
  }
  await clearAccountCredentials(app.db, accountId);
  await markAccountDisconnected(app.db, accountId);
  return { wasLinked: stored !== undefined, revokedAtX, ...(revokeError ? { revokeError } : {}) };
}

/**
 * Linking as configured: X's consent screen and API, the app's client id and secret, and the
 * callback under the public base URL. Undefined (routes answer 503) until all are set.
 */
export function linkingFromSettings(
  settings: {
    X_CLIENT_ID?: string;
    X_CLIENT_SECRET?: string;
    X_AUTHORIZE_URL: string;
    X_API_BASE_URL?: string;
    PUBLIC_BASE_URL?: string;
  },
  credentialsKey: Buffer | undefined,
): XLinking | undefined {
  const { X_CLIENT_ID, X_CLIENT_SECRET, PUBLIC_BASE_URL } = settings;
  if (!X_CLIENT_ID || !X_CLIENT_SECRET || !PUBLIC_BASE_URL || !credentialsKey) return undefined;
  return {
    credentialsKey,
    client: {
      clientId: X_CLIENT_ID,
      clientSecret: X_CLIENT_SECRET,
      authorizeUrl: settings.X_AUTHORIZE_URL,
      redirectUri: PUBLIC_BASE_URL.replace(/\/+$/, '') + CALLBACK_PATH,
      api: settings.X_API_BASE_URL ? { baseUrl: settings.X_API_BASE_URL } : {},
    },
  };
}

/**
 * The `relink` answer to an account's `auth` stop: a fresh authorize URL for the stopped
 * account, bound to whoever asked. The stop stays open: once the link is restored, a person
 * resumes the account's sending.
 */
export async function relinkForStop(
  app: FastifyInstance,
  stop: { id: string; kind: string; status: string; accountId: string | null },
  requestedBy: string,
): Promise<{ authorizeUrl: string; expiresAt: string }> {
  if (stop.kind !== 'sender_halted' || stop.status !== 'open' || !stop.accountId) {
    throw new AppError(
      409,
      'resolution_not_allowed',
      `'relink' answers an open sender_halted stop; this one is a ${stop.status} ${stop.kind}`,
    );
  }
  const answer = await startLink(app, { accountId: stop.accountId, requestedBy });
  await insertAuditEntry(app.db, {
    actor: requestedBy,
    action: 'intervention.relink',
    subject: stop.id,
    outcome: 'ok',
    details: { accountId: stop.accountId },
  });
  return answer;
}
