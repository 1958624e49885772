/**
 * Who is calling: an OAuth 2.0 user or app-only bearer token, or an OAuth 1.0a signed request
 * (signature verified against the app's consumer secret and the token secret), or X's 401.
 */
import { json, type EmuReply, type EmuRequest } from './http';
import { parseOAuthHeader, verifyOAuth1Signature } from './oauth1';
import { problemBody } from './render';
import type { ApiRoute, Caller } from './routes';
import type { EmulatorState } from './state';

export function unauthorized(): EmuReply {
  return json(401, problemBody(401, 'about:blank', 'Unauthorized', 'Unauthorized'));
}

function couldNotAuthenticate(): EmuReply {
  return json(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] });
}

function invalidOrExpired(): EmuReply {
  return json(401, { errors: [{ code: 89, message: 'Invalid or expired token.' }] });
}

export function authenticate(
  state: EmulatorState,
  nowMs: number,
  request: EmuRequest,
  route: ApiRoute,
): { caller?: Caller; reply?: EmuReply } {
  if (route.auth === 'client') return {};
  const header = String(request.headers.authorization ?? '');
  if (header.startsWith('Bearer ')) {
    const token = state.tokens.get(header.slice(7).trim());
    if (!token || token.revoked) return { reply: unauthorized() };
    if (token.kind === 'oauth1') return { reply: unauthorized() };
    if (token.kind === 'oauth2' && token.expiresAtMs <= nowMs) return { reply: unauthorized() };
    if (token.kind === 'app') return { caller: { kind: 'app', accessToken: token.accessToken } };
    return {
      caller: {
        kind: 'oauth2',
        userId: token.userId,
        scopes: token.scopes,
        accessToken: token.accessToken,
      },
    };
  }
  const oauth = parseOAuthHeader(header);
  if (oauth) {
    if (oauth.oauth_consumer_key !== state.app.consumerKey)
      return { reply: couldNotAuthenticate() };
    const token = state.tokens.get(oauth.oauth_token ?? '');
    if (!token || token.kind !== 'oauth1') return { reply: invalidOrExpired() };
    if (token.revoked) return { reply: invalidOrExpired() };
    const valid = verifyOAuth1Signature({
      method: request.method,
      baseUrl: `http://${String(request.headers.host)}${request.url.pathname}`,
      query: request.query,
      form: request.form,
      oauth,
      consumerSecret: state.app.consumerSecret,
      tokenSecret: token.accessSecret,
    });
    if (!valid) return { reply: couldNotAuthenticate() };
    return { caller: { kind: 'oauth1', userId: token.userId, accessToken: token.accessToken } };
  }
  return { reply: unauthorized() };
}
