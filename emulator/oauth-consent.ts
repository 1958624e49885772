/**
 * X's side of the OAuth 2.0 Authorization Code Flow with PKCE: the consent screen at
 * `/i/oauth2/authorize` (pick which emulated user signs in, Authorize / Cancel) and the codes it
 * issues. A code is bound to the client id, the redirect URI and the code challenge, is single
 * use and lives 30 seconds on the emulator clock; the token endpoint redeems it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmuReply, EmuRequest } from './http';
import { knownScopes } from './oauth-scopes';
import type { EmuUser, EmulatorState } from './state';

export const AUTHORIZE_PATH = '/i/oauth2/authorize';
export const CODE_LIFETIME_MS = 30_000;

interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  challengeMethod: 'S256' | 'plain';
  scopes: string[];
  userId: string;
  expiresAtMs: number;
  used: boolean;
}

/** Codes live with the state they were issued in: loading a scenario forgets them. */
const codesByState = new WeakMap<EmulatorState, Map<string, AuthorizationCode>>();

function codesOf(state: EmulatorState): Map<string, AuthorizationCode> {
  let codes = codesByState.get(state);
  if (!codes) {
    codes = new Map();
    codesByState.set(state, codes);
  }
  return codes;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): EmuReply {
  const html = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}select{font-size:1rem}</style>
</head><body>${body}</body></html>`;
  return { status, body: html, contentType: 'text/html; charset=utf-8' };
}

function redirect(location: URL): EmuReply {
  return { status: 302, body: '', headers: { location: location.toString() } };
}

interface AuthorizeParams {
  responseType: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

function readParams(source: URLSearchParams): AuthorizeParams {
  return {
    responseType: source.get('response_type') ?? '',
    clientId: source.get('client_id') ?? '',
    redirectUri: source.get('redirect_uri') ?? '',
    scope: source.get('scope') ?? '',
    state: source.get('state') ?? '',
    codeChallenge: source.get('code_challenge') ?? '',
    codeChallengeMethod: source.get('code_challenge_method') ?? '',
  };
}

function parseRedirectUri(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

type Checked =
  | { ok: true; redirectUri: URL; scopes: string[]; method: 'S256' | 'plain' }
  | { ok: false; reply: EmuReply };

/**
 * X shows its own error page for an unknown client or a bad redirect URI (it must not redirect
 * to an address it cannot trust); anything else goes back to the callback as `error=…`.
 */
function check(state: EmulatorState, params: AuthorizeParams): Checked {
  const registered = state.app.callbackUrls;
  const redirectUri = parseRedirectUri(params.redirectUri);
  if (
    params.clientId !== state.app.clientId ||
    !redirectUri ||
    (registered !== undefined && !registered.includes(params.redirectUri))
  ) {
    return {
      ok: false,
      reply: page(
        400,
        'Something went wrong',
        `<h1>問題が発生しました / Something went wrong</h1>
<p>このアプリに接続できません。client_id または redirect_uri が正しくありません。<br>
You weren’t able to give access to the App: the client_id or redirect_uri is not valid.</p>`,
      ),
    };
  }
  const back = (description: string): Checked => {
    const location = new URL(redirectUri);
    location.searchParams.set('error', 'invalid_request');
    location.searchParams.set('error_description', description);
    if (params.state) location.searchParams.set('state', params.state);
    return { ok: false, reply: redirect(location) };
  };
  if (params.responseType !== 'code') return back('response_type must be code');
  if (!params.state) return back('Missing required parameter [state].');
  const method = params.codeChallengeMethod.toLowerCase();
  if (!params.codeChallenge) return back('Missing required parameter [code_challenge].');
  if (method !== 's256' && method !== 'plain')
    return back('code_challenge_method must be S256 or plain');
  const scopes = params.scope.split(/[\s+]+/).filter(Boolean);
  if (scopes.length === 0) return back('Missing required parameter [scope].');
  const unknown = scopes.filter((scope) => !knownScopes.has(scope));
  if (unknown.length > 0) return back(`Unknown scope: ${unknown.join(' ')}`);
  return { ok: true, redirectUri, scopes, method: method === 's256' ? 'S256' : 'plain' };
}

/** Emulated users that hold a user token come first: they are the senders. */
function signInChoices(state: EmulatorState): EmuUser[] {
  const senders = new Set(
    [...state.tokens.values()].flatMap((token) => (token.kind === 'app' ? [] : [token.userId])),
  );
  return [...state.users.values()].sort(
    (a, b) => Number(senders.has(b.id)) - Number(senders.has(a.id)),
  );
}

function consentPage(state: EmulatorState, params: AuthorizeParams, scopes: string[]): EmuReply {
  const hidden = Object.entries({
    response_type: params.responseType,
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    scope: params.scope,
    state: params.state,
    code_challenge: params.codeChallenge,
    code_challenge_method: params.codeChallengeMethod,
  })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
  const options = signInChoices(state)
    .map(
      (user) =>
        `<option value="${escapeHtml(user.id)}">@${escapeHtml(user.username)} (${escapeHtml(user.name)})</option>`,
    )
    .join('\n');
  return page(
    200,
    'Authorize app',
    `<h1>アプリを承認 / Authorize app</h1>
<p>アプリ <strong>${escapeHtml(state.app.clientId)}</strong> があなたのアカウントへのアクセスを求めています。<br>
The app <strong>${escapeHtml(state.app.clientId)}</strong> wants to access your X account.</p>
<ul>${scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('')}</ul>
<form method="post" action="${AUTHORIZE_PATH}">
${hidden}
<p><label for="user_id">ログインするユーザー / Sign in as</label><br>
<select id="user_id" name="user_id">${options}</select></p>
<p><button type="submit" name="decision" value="allow" id="allow">アプリにアクセスを許可 / Authorize app</button>
<button type="submit" name="decision" value="deny" id="cancel">キャンセル / Cancel</button></p>
</form>`,
  );
}

/** `GET` shows the consent screen; `POST` (the screen's form) answers with the redirect. */
export function handleAuthorize(
  state: EmulatorState,
  request: EmuRequest,
  nowMs: number,
): EmuReply {
  if (request.method === 'GET') {
    const params = readParams(request.query);
    const checked = check(state, params);
    if (!checked.ok) return checked.reply;
    return consentPage(state, params, checked.scopes);
  }
  if (request.method !== 'POST') return page(405, 'Method not allowed', '<h1>405</h1>');
  const form = request.form ?? new URLSearchParams();
  const params = readParams(form);
  const checked = check(state, params);
  if (!checked.ok) return checked.reply;
  const location = new URL(checked.redirectUri);
  if (form.get('decision') !== 'allow') {
    location.searchParams.set('error', 'access_denied');
    location.searchParams.set('state', params.state);
    return redirect(location);
  }
  const user = state.users.get(form.get('user_id') ?? '');
  if (!user) return consentPage(state, params, checked.scopes);
  const code = randomBytes(24).toString('base64url');
  codesOf(state).set(code, {
    code,
    clientId: params.clientId,
    redirectUri: params.redirectUri,
    codeChallenge: params.codeChallenge,
    challengeMethod: checked.method,
    scopes: checked.scopes,
    userId: user.id,
    expiresAtMs: nowMs + CODE_LIFETIME_MS,
    used: false,
  });
  location.searchParams.set('state', params.state);
  location.searchParams.set('code', code);
  return redirect(location);
}

export type CodeRedemption =
  | { ok: true; userId: string; scopes: string[] }
  | { ok: false; error: 'invalid_request' | 'invalid_grant'; description: string };

function challengeOf(verifier: string, method: 'S256' | 'plain'): string {
  return method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The token endpoint's `authorization_code` grant: the code must have been issued to this
 * client for this redirect URI, be unspent and unexpired, and the verifier must match.
 */
export function redeemAuthorizationCode(
  state: EmulatorState,
  params: Record<string, string>,
  clientId: string,
  nowMs: number,
): CodeRedemption {
  for (const name of ['code', 'redirect_uri', 'code_verifier']) {
    if (!params[name]) {
      return {
        ok: false,
        error: 'invalid_request',
        description: `Missing required parameter [${name}].`,
      };
    }
  }
  const record = codesOf(state).get(params.code ?? '');
  const invalid: CodeRedemption = {
    ok: false,
    error: 'invalid_grant',
    description: 'Value passed for the authorization code was invalid.',
  };
  if (!record || record.used || record.expiresAtMs <= nowMs) return invalid;
  // A code is spent by its first redemption, good or bad (RFC 6749 §10.5).
  record.used = true;
  if (record.clientId !== clientId || record.redirectUri !== params.redirect_uri) return invalid;
  if (challengeOf(params.code_verifier ?? '', record.challengeMethod) !== record.codeChallenge) {
    return {
      ok: false,
      error: 'invalid_grant',
      description: 'Value passed for the code_verifier was invalid.',
    };
  }
  return { ok: true, userId: record.userId, scopes: record.scopes };
}
