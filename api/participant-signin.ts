/**
 * "Sign in with X" on a campaign's page (OAuth 2.0 Authorization Code Flow with PKCE, scopes
 * `users.read tweet.read`): X tells Kuji who the person is, Kuji revokes the token at once and
 * keeps nothing of it; the browser gets a signed session cookie for that one campaign.
 */
import type { FastifyInstance } from 'fastify';
import {
  deleteStaleOAuthStates,
  insertOAuthState,
  type OAuthStateClaim,
} from '../db/repositories/oauth-states';
import { XCallError } from '../x/api';
import {
  buildAuthorizeUrl,
  createOAuthState,
  createPkcePair,
  exchangeAuthorizationCode,
  revokeOAuth2Credentials,
} from '../x/oauth2';
import {
  createSignInNonce,
  deriveSessionKey,
  hashSignInNonce,
  signInNonceCookie,
  signInNonceMatches,
} from './participant-session';
import { hashState, type CallbackQuery, type XLinking } from './x-linking';

/** Who the person is on X: nothing more (no posting, no DMs, no refresh token). */
export const PARTICIPANT_SCOPES = ['users.read', 'tweet.read'] as const;

/** Recorded as the state's requester: no API key asks for a participant's sign-in. */
const participantRequester = 'participant';

/** What sign-in needs; undefined when X linking is not configured (the page says so). */
export interface ParticipantAuth {
  linking: XLinking;
  sessionKey: Buffer;
  /** Cookies are Secure when the public base URL (the callback's) is https. */
  secureCookies: boolean;
}

const sessionKeys = new WeakMap<Buffer, Buffer>();

export function participantAuth(app: FastifyInstance): ParticipantAuth | undefined {
  const linking = app.xLinking;
  if (!linking) return undefined;
  let sessionKey = sessionKeys.get(linking.credentialsKey);
  if (!sessionKey) {
    sessionKey = deriveSessionKey(linking.credentialsKey);
    sessionKeys.set(linking.credentialsKey, sessionKey);
  }
  return {
    linking,
    sessionKey,
    secureCookies: linking.client.redirectUri.startsWith('https:'),
  };
}

/**
 * X's authorize URL for a participant of `campaignId`, with a fresh single-use state, and the
 * sign-in cookie (Set-Cookie) the starting browser must hold: a nonce, named after the state
 * (only the nonce's hash is stored).
 */
export async function startParticipantSignIn(
  app: FastifyInstance,
  auth: ParticipantAuth,
  campaignId: string,
  now: Date = new Date(),
): Promise<{ authorizeUrl: string; signInCookie: string }> {
  const state = createOAuthState();
  const pkce = createPkcePair();
  const nonce = createSignInNonce();
  await deleteStaleOAuthStates(app.db, now);
  await insertOAuthState(app.db, {
    purpose: 'participant_signin',
    campaignId,
    browserNonceHash: hashSignInNonce(nonce),
    stateHash: hashState(state),
    requestedBy: participantRequester,
    codeVerifier: pkce.verifier,
    now,
  });
  const authorizeUrl = buildAuthorizeUrl(auth.linking.client, {
    state,
    codeChallenge: pkce.challenge,
    scopes: PARTICIPANT_SCOPES,
  });
  return { authorizeUrl, signInCookie: signInNonceCookie(state, nonce, auth.secureCookies) };
}

export type SignInOutcome =
  | { status: 'signed_in'; campaignId: string; xUserId: string }
  | {
      status: 'denied' | 'failed' | 'state_used' | 'state_expired' | 'other_browser';
      campaignId: string;
    };

/**
 * Finishes a participant's sign-in once its state is spent: checks that this browser started it
 * (its sign-in cookie's nonce matches the state's hash; otherwise `other_browser`, and the code
 * is not even exchanged), exchanges the code, reads who signed in (`GET /2/users/me`), revokes
 * the token. Never throws for what X or the person did.
 */
export async function finishParticipantSignIn(
  app: FastifyInstance,
  auth: ParticipantAuth,
  claim: Extract<OAuthStateClaim, { purpose: 'participant_signin' }>,
  query: CallbackQuery & { browserNonce: string | undefined },
): Promise<SignInOutcome> {
  const { campaignId } = claim;
  if (!signInNonceMatches(query.browserNonce, claim.browserNonceHash)) {
    app.log.warn({ campaignId }, 'participant sign-in: callback from another browser refused');
    return { status: 'other_browser', campaignId };
  }
  if (query.error || !query.code) {
    return { status: query.error === 'access_denied' ? 'denied' : 'failed', campaignId };
  }
  let signedIn;
  try {
    signedIn = await exchangeAuthorizationCode(auth.linking.client, {
      code: query.code,
      codeVerifier: claim.codeVerifier,
    });
  } catch (error) {
    if (!(error instanceof XCallError)) throw error;
    // X refused the code, or who signed in could not be read (the token is already revoked).
    app.log.warn({ code: error.xError.code, campaignId }, 'participant sign-in: exchange refused');
    return { status: 'failed', campaignId };
  }
  // Kuji needed the id once; the token must not outlive this request anywhere.
  await revokeOAuth2Credentials(auth.linking.client, signedIn.credentials).catch((error) => {
    app.log.warn({ err: error, campaignId }, 'participant sign-in: revoking the token failed');
  });
  return { status: 'signed_in', campaignId, xUserId: signedIn.user.id };
}
