/**
 * X's side of linking, as the emulator plays it: codes bound, single use and short-lived, X's
 * OAuth error bodies, the consent screen's refusals, registered callbacks and scopes per endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { answerConsent, startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildLinkingApp, CALLBACK_BASE, emulatorLinking } from '../support/linking';
import { app as emulatorApp, baseScenario } from '../x/support';

const BRAND_ID = '1790000000000000201';

describe("linking an X account: X's side (the emulator)", () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  let adminAuth: { authorization: string };

  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
    api = await buildLinkingApp(testDb.db, emulatorLinking(emulator, emulatorApp));
  });
  after(async () => {
    await api?.close();
    await emulator?.close();
    await testDb?.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
    await emulator.loadScenario(
      baseScenario({
        users: [
          ...(baseScenario().users ?? []),
          { id: BRAND_ID, username: 'brand_jp', dmSetting: 'everyone' },
        ],
      }),
    );
    adminAuth = {
      authorization: `Bearer ${(await insertApiKey(testDb.db, { id: 'admin', name: 'admin', role: 'admin' })).secret}`,
    };
    await insertAccount(testDb.db, { id: 'brand', handle: 'brand_placeholder' });
  });

  const callback = (path: string) => api.inject({ url: path });

  async function storedVersion(accountId: string) {
    return testDb.db
      .selectFrom('accounts')
      .select(['credentials_ciphertext'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
  }

  describe("the emulator's side of the flow", () => {
    async function authorizeUrl() {
      const response = await api.inject({
        method: 'POST',
        url: '/v1/accounts/brand/connect',
        headers: adminAuth,
      });
      return response.json<{ authorizeUrl: string }>().authorizeUrl;
    }

    it('a code lives 30 seconds and works once; X answers invalid_grant after that', async () => {
      const url = await authorizeUrl();
      const { callbackUrl } = await answerConsent(url, { userId: BRAND_ID, decision: 'allow' });
      const code = new URL(callbackUrl).searchParams.get('code') ?? '';
      const verifierless = await fetch(`${emulator.url}/2/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${emulatorApp.clientId}:${emulatorApp.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: `${CALLBACK_BASE}/v1/oauth/x/callback`,
          code_verifier: 'not-the-verifier-of-this-challenge-0123456789abcdef',
        }).toString(),
      });
      assert.equal(verifierless.status, 400);
      assert.deepEqual(await verifierless.json(), {
        error: 'invalid_grant',
        error_description: 'Value passed for the code_verifier was invalid.',
      });
      // The refused attempt spent the code: the real callback now fails at the exchange.
      const page = await callback(new URL(callbackUrl).pathname + new URL(callbackUrl).search);
      assert.equal(page.statusCode, 502, page.body);
      assert.equal((await storedVersion('brand')).credentials_ciphertext, null);

      const late = await answerConsent(await authorizeUrl(), {
        userId: BRAND_ID,
        decision: 'allow',
      });
      emulator.clock.advance(31_000);
      const latePage = await callback(
        new URL(late.callbackUrl).pathname + new URL(late.callbackUrl).search,
      );
      assert.equal(latePage.statusCode, 502, latePage.body);
      assert.match(latePage.body, /auth_refresh_rejected/);
    });

    it('refuses an unknown client with its own page instead of redirecting', async () => {
      const url = new URL(await authorizeUrl());
      url.searchParams.set('client_id', 'someone-elses-app');
      const screen = await fetch(url, { redirect: 'manual' });
      assert.equal(screen.status, 400);
      assert.match(await screen.text(), /client_id or redirect_uri is not valid/);
    });

    it('accepts only a callback URL registered for the app, character for character', async () => {
      await emulator.loadScenario(
        baseScenario({
          app: {
            ...emulatorApp,
            callbackUrls: [`${CALLBACK_BASE}/v1/oauth/x/callback`],
          },
        }),
      );
      const registered = await fetch(await authorizeUrl());
      assert.equal(registered.status, 200);
      const url = new URL(await authorizeUrl());
      url.searchParams.set('redirect_uri', `${CALLBACK_BASE}/v1/oauth/x/callback/`);
      const other = await fetch(url, { redirect: 'manual' });
      assert.equal(other.status, 400);
      assert.match(await other.text(), /client_id or redirect_uri is not valid/);
    });

    it('answers invalid_client for a wrong secret and unauthorized_client without any', async () => {
      const post = (headers: Record<string, string>) =>
        fetch(`${emulator.url}/2/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: 'grant_type=authorization_code&code=x&redirect_uri=x&code_verifier=x',
        });
      const wrong = await post({
        authorization: `Basic ${Buffer.from(`${emulatorApp.clientId}:nope`).toString('base64')}`,
      });
      assert.equal(wrong.status, 401);
      assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');
      const none = await post({});
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { error: string }).error, 'unauthorized_client');
    });

    it('enforces scopes per endpoint: a token without users.read cannot read users/me', async () => {
      const url = new URL(await authorizeUrl());
      url.searchParams.set('scope', 'tweet.read dm.write');
      const { callbackUrl } = await answerConsent(url.toString(), {
        userId: BRAND_ID,
        decision: 'allow',
      });
      const page = await callback(new URL(callbackUrl).pathname + new URL(callbackUrl).search);
      // The exchange works, reading who signed in does not: nothing is stored.
      assert.equal(page.statusCode, 502, page.body);
      assert.equal((await storedVersion('brand')).credentials_ciphertext, null);
    });
  });
});
