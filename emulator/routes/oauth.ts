/**
 * OAuth 2.0 tokens: the token endpoint (authorization code with PKCE, rotating refresh) and
 * revocation, answering X's OAuth errors. The consent page itself is `../oauth-consent.ts`.
 */
import { json, type EmuReply, type EmuRequest } from '../http';
import { redeemAuthorizationCode } from '../oauth-consent';
import type { ApiContext, ApiRoute } from './context';

function formOrJson(request: EmuRequest): Record<string, string> {
  if (request.form) return Object.fromEntries(request.form);
  const body = request.json;
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

function oauthError(status: number, error: string, description: string): EmuReply {
  return json(status, { error, error_description: description });
}

/**
 * Confidential clients authenticate with Basic auth (or client_secret in the body); a public
 * client names itself with client_id. Answers the client id, or X's refusal.
 */
function authenticateClient(
  context: ApiContext,
  params: Record<string, string>,
): { clientId: string } | { reply: EmuReply } {
  const { app } = context.state;
  const header = String(context.request.headers.authorization ?? '');
  let id: string | undefined;
  let secret: string | undefined;
  if (header.startsWith('Basic ')) {
    [id, secret] = Buffer.from(header.slice(6), 'base64')
      .toString('utf8')
      .split(':')
      .map(decodeURIComponent);
  } else if (params.client_id) {
    id = params.client_id;
    secret = params.client_secret;
  } else {
    return { reply: oauthError(401, 'unauthorized_client', 'Missing valid authorization header') };
  }
  if (id !== app.clientId || (app.clientSecret !== undefined && secret !== app.clientSecret)) {
    return { reply: oauthError(401, 'invalid_client', 'Client authentication failed.') };
  }
  return { clientId: id };
}

function tokenAnswer(
  userId: string,
  scopes: string[],
  context: ApiContext,
  withRefresh: boolean,
): EmuReply {
  const pair = context.state.issueOAuth2Pair(userId, scopes);
  return json(200, {
    token_type: 'bearer',
    expires_in: pair.expiresIn,
    access_token: pair.accessToken,
    scope: scopes.join(' '),
    ...(withRefresh ? { refresh_token: pair.refreshToken } : {}),
  });
}

export const oauth2Token: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/oauth2\/token$/,
  endpoint: 'oauth2.token',
  auth: 'client',
  handle(context) {
    const params = formOrJson(context.request);
    const client = authenticateClient(context, params);
    if ('reply' in client) return client.reply;
    if (params.grant_type === 'authorization_code') {
      const redeemed = redeemAuthorizationCode(context.state, params, client.clientId, context.now);
      if (!redeemed.ok) return oauthError(400, redeemed.error, redeemed.description);
      // X grants a refresh token only with offline.access.
      const offline = redeemed.scopes.includes('offline.access');
      return tokenAnswer(redeemed.userId, redeemed.scopes, context, offline);
    }
    if (params.grant_type !== 'refresh_token') {
      return oauthError(
        400,
        params.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        params.grant_type
          ? `The grant type ${params.grant_type} is not supported.`
          : 'Missing required parameter [grant_type].',
      );
    }
    const record = params.refresh_token
      ? context.state.refreshTokens.get(params.refresh_token)
      : undefined;
    if (!record || record.used || record.revoked) {
      return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
    }
    // Rotation: the refresh token is spent now; only the new one works from here on.
    record.used = true;
    return tokenAnswer(record.userId, record.scopes, context, true);
  },
};

export const oauth2Revoke: ApiRoute = {
  method: 'POST',
  pattern: /^\/2\/oauth2\/revoke$/,
  endpoint: 'oauth2.revoke',
  auth: 'client',
  handle(context) {
    const params = formOrJson(context.request);
    const client = authenticateClient(context, params);
    if ('reply' in client) return client.reply;
    const token = params.token ?? '';
    const refresh = context.state.refreshTokens.get(token);
    if (refresh) refresh.revoked = true;
    if (context.state.tokens.has(token)) context.state.revokeToken(token);
    return json(200, { revoked: true });
  },
};
