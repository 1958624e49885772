/**
 * Linking in tests: the API with X's OAuth 2.0 client pointed at an emulator (its consent screen,
 * token endpoint and API), and the callback followed the way a browser would.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { CALLBACK_PATH, type XLinking } from '../../api/x-linking';
import type { Db } from '../../db/client';
import { AUTHORIZE_PATH, answerConsent, type XEmulator } from '../../emulator';
import { testCredentialsKey } from './fixtures';

export const CALLBACK_BASE = 'http://kuji.test';

export function emulatorLinking(
  emulator: XEmulator,
  client: { clientId: string; clientSecret: string },
  publicBaseUrl = CALLBACK_BASE,
): XLinking {
  return {
    credentialsKey: testCredentialsKey,
    client: {
      ...client,
      authorizeUrl: `${emulator.url}${AUTHORIZE_PATH}`,
      redirectUri: `${publicBaseUrl}${CALLBACK_PATH}`,
      api: { baseUrl: emulator.url },
    },
  };
}

/**
 * The API without a worker, for routes that never reach Temporal: its client connects lazily,
 * to an address nothing listens on, so a route that did use it would fail loudly.
 */
export async function buildLinkingApp(
  db: Db,
  xLinking: XLinking,
  options: { webhookSecret?: string } = {},
): Promise<FastifyInstance> {
  return buildApp({
    db,
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
    temporalConfig: { namespace: 'default', taskQueue: 'linking-tests' },
    xLinking,
    ...options,
  });
}

/** Asks the API to connect, answers the consent screen, and hands back the callback's path. */
export async function consentAndReturn(
  app: FastifyInstance,
  input: {
    accountId: string;
    adminAuth: { authorization: string };
    signInAs: string;
    decision?: 'allow' | 'deny';
  },
): Promise<{ callbackPath: string; authorizeUrl: string }> {
  const connect = await app.inject({
    method: 'POST',
    url: `/v1/accounts/${input.accountId}/connect`,
    headers: input.adminAuth,
  });
  if (connect.statusCode !== 200) throw new Error(`connect: ${connect.statusCode} ${connect.body}`);
  const { authorizeUrl } = connect.json<{ authorizeUrl: string }>();
  const { callbackUrl } = await answerConsent(authorizeUrl, {
    userId: input.signInAs,
    decision: input.decision ?? 'allow',
  });
  const url = new URL(callbackUrl);
  return { callbackPath: `${url.pathname}${url.search}`, authorizeUrl };
}
