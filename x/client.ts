/**
 * twitter-api-v2 clients for sender accounts: OAuth 1.0a user context or an OAuth 2.0 user token,
 * a request timeout on every call, and an optional base URL (the emulator) reached through a
 * plugin that rewrites `https://api.x.com…` before the request is signed.
 */
import http from 'node:http';
import https from 'node:https';
import { type ITwitterApiClientPlugin, TwitterApi } from 'twitter-api-v2';
import type { OAuth2Credentials, XCredentials } from './credentials';

export const X_API_ORIGIN = 'https://api.x.com';
export const DEFAULT_X_TIMEOUT_MS = 15_000;

export interface XClientOptions {
  /** Replaces `https://api.x.com` (for example `http://127.0.0.1:4000` for the emulator). */
  baseUrl?: string;
  /** Per-request timeout; twitter-api-v2 has none by default. */
  timeoutMs?: number;
}

/**
 * Rewrites the origin of every request and sets a timeout. OAuth 1.0a signs the rewritten URL,
 * which is what the server sees, so signatures stay valid.
 */
export function requestDefaultsPlugin(options: XClientOptions): ITwitterApiClientPlugin {
  const baseUrl = options.baseUrl?.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_X_TIMEOUT_MS;
  return {
    onBeforeRequestConfig({ params }) {
      if (baseUrl && params.url.startsWith(X_API_ORIGIN)) {
        params.url = baseUrl + params.url.slice(X_API_ORIGIN.length);
      }
      params.timeout ??= timeoutMs;
    },
  };
}

const agents = new Map<string, http.Agent>();

/** twitter-api-v2 uses `https.request`; plain http needs an http.Agent or Node refuses the protocol. */
function agentFor(baseUrl: string | undefined): http.Agent | undefined {
  const protocol = baseUrl ? new URL(baseUrl).protocol : 'https:';
  let agent = agents.get(protocol);
  if (!agent) {
    agent =
      protocol === 'http:'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({ keepAlive: true });
    agents.set(protocol, agent);
  }
  return agent;
}

function clientSettings(options: XClientOptions) {
  return {
    plugins: [requestDefaultsPlugin(options)],
    httpAgent: agentFor(options.baseUrl),
  };
}

export function createXClient(credentials: XCredentials, options: XClientOptions = {}): TwitterApi {
  const settings = clientSettings(options);
  if (credentials.kind === 'oauth1') {
    return new TwitterApi(
      {
        appKey: credentials.appKey,
        appSecret: credentials.appSecret,
        accessToken: credentials.accessToken,
        accessSecret: credentials.accessSecret,
      },
      settings,
    );
  }
  return new TwitterApi(credentials.accessToken, settings);
}

/** The client that talks to the OAuth 2.0 token endpoint (client id, and secret when confidential). */
export function createOAuth2AppClient(
  credentials: Pick<OAuth2Credentials, 'clientId' | 'clientSecret'>,
  options: XClientOptions = {},
): TwitterApi {
  return new TwitterApi(
    { clientId: credentials.clientId, clientSecret: credentials.clientSecret },
    clientSettings(options),
  );
}
