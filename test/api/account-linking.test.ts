/**
 * Linking a sender account to X with OAuth 2.0 and PKCE, through the API and the X emulator's
 * consent screen and token endpoint (twitter-api-v2 for the exchange, as in production). X's own
 * side of the flow: account-linking-x-side.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { XCallError } from '../../x/api';
import { loadAccountCredentials, MissingCredentialsError } from '../../x/credentials';
import { startXEmulator, type XEmulator } from '../../emulator';
import { SENDER_SCOPES } from '../../x/oauth2';
import { ensureFreshCredentials } from '../../x/token-refresh';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedCampaign, testCredentialsKey } from '../support/fixtures';
import {
  buildLinkingApp,
  CALLBACK_BASE,
  consentAndReturn,
  emulatorLinking,
} from '../support/linking';
import { ALICE_ID, app as emulatorApp, baseScenario, SENDER_ID, senderOAuth1 } from '../x/support';

const BRAND_ID = '1790000000000000201';
const OTHER_ID = '1790000000000000202';

describe('linking an X account (OAuth 2.0 with PKCE)', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  let adminAuth: { authorization: string };
  let operatorAuth: { authorization: string };

  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
    api = await buildLinkingApp(testDb.db, emulatorLinking(emulator, emulatorApp), {
      webhookSecret: emulatorApp.consumerSecret,
    });
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
          { id: OTHER_ID, username: 'someone_else', dmSetting: 'everyone' },
        ],
      }),
    );
    adminAuth = {
      authorization: `Bearer ${(await insertApiKey(testDb.db, { id: 'admin', name: 'admin', role: 'admin' })).secret}`,
    };
    operatorAuth = {
      authorization: `Bearer ${(await insertApiKey(testDb.db, { id: 'op', name: 'op', role: 'operator' })).secret}`,
    };
    await insertAccount(testDb.db, { id: 'brand', handle: 'brand_placeholder' });
  });

  const callback = (path: string) => api.inject({ url: path });

  async function storedVersion(accountId: string) {
    const row = await testDb.db
      .selectFrom('accounts')
      .select(['credentials_ciphertext', 'credentials_version', 'status', 'handle', 'x_user_id'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    return row;
  }

  async function auditOf(action: string) {
    return testDb.db
      .selectFrom('audit_log')
      .select(['actor', 'outcome', 'details'])
      .where('action', '=', action)
      .execute();
  }

  describe('POST /v1/accounts/:id/connect', () => {
    it("answers X's authorize URL with the client, callback, Kuji's scopes, a state and an S256 challenge", async () => {
      const response = await api.inject({
        method: 'POST',
        url: '/v1/accounts/brand/connect',
        headers: adminAuth,
      });
      assert.equal(response.statusCode, 200, response.body);
      const { authorizeUrl, expiresAt } = response.json<{
        authorizeUrl: string;
        expiresAt: string;
      }>();
      const url = new URL(authorizeUrl);
      assert.equal(`${url.origin}${url.pathname}`, `${emulator.url}/i/oauth2/authorize`);
      const q = url.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), emulatorApp.clientId);
      assert.equal(q.get('redirect_uri'), `${CALLBACK_BASE}/v1/oauth/x/callback`);
      assert.equal(q.get('scope'), SENDER_SCOPES.join(' '));
      assert.equal(
        q.get('scope'),
        'tweet.read tweet.write users.read dm.read dm.write follows.read like.read offline.access',
      );
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok((q.get('state') ?? '').length >= 32);
      const lifetime = Date.parse(expiresAt) - Date.now();
      assert.ok(lifetime > 9 * 60_000 && lifetime <= 10 * 60_000, `expires in ${lifetime} ms`);

      // The state is stored only as a hash, bound to the account and the admin key that asked.
      const rows = await testDb.db.selectFrom('oauth_states').selectAll().execute();
      assert.equal(rows.length, 1);
      const hash = createHash('sha256')
        .update(q.get('state') ?? '')
        .digest('hex');
      assert.deepEqual(
        [rows[0]?.state_hash, rows[0]?.account_id, rows[0]?.requested_by],
        [hash, 'brand', 'admin'],
      );
    });

    it('forgets states a day after they ended, and keeps younger ones to tell a replay', async () => {
      const day = 24 * 60 * 60_000;
      for (const [hash, endedAgo] of [
        ['old', 2 * day],
        ['recent', 60 * 60_000],
      ] as const) {
        await testDb.db
          .insertInto('oauth_states')
          .values({
            state_hash: hash,
            account_id: 'brand',
            requested_by: 'admin',
            code_verifier: 'v',
            expires_at: new Date(Date.now() - endedAgo),
          })
          .execute();
      }
      const response = await api.inject({
        method: 'POST',
        url: '/v1/accounts/brand/connect',
        headers: adminAuth,
      });
      assert.equal(response.statusCode, 200, response.body);
      const left = await testDb.db.selectFrom('oauth_states').select('state_hash').execute();
      assert.deepEqual(
        left.map((row) => row.state_hash).filter((hash) => hash.length < 10),
        ['recent'],
      );
    });

    it('is for admins only', async () => {
      const response = await api.inject({
        method: 'POST',
        url: '/v1/accounts/brand/connect',
        headers: operatorAuth,
      });
      assert.equal(response.statusCode, 403, response.body);
    });
  });

  describe('GET /v1/oauth/x/callback', () => {
    it('stores the token pair encrypted, records the X user and handle, audits, and says connected as @handle', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      const page = await callback(callbackPath);
      assert.equal(page.statusCode, 200, page.body);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /@brand_jp として連携しました/);
      assert.match(page.body, /connected as @brand_jp/);

      const row = await storedVersion('brand');
      assert.equal(row.handle, 'brand_jp');
      assert.equal(row.x_user_id, BRAND_ID);
      assert.equal(row.status, 'active');
      assert.ok(row.credentials_ciphertext && !row.credentials_ciphertext.includes('emu-'));
      const stored = await loadAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        'brand',
      );
      assert.equal(stored.credentials.kind, 'oauth2');
      if (stored.credentials.kind !== 'oauth2') return;
      assert.equal(stored.credentials.userId, BRAND_ID);
      assert.ok(stored.credentials.refreshToken, 'offline.access grants a refresh token');
      assert.deepEqual(stored.credentials.scopes, [...SENDER_SCOPES]);

      const [audit] = await auditOf('account.link');
      assert.equal(audit?.actor, 'admin');
      assert.equal(audit?.outcome, 'ok');
      assert.equal(JSON.stringify(audit?.details).includes(stored.credentials.accessToken), false);

      const account = await api.inject({ url: '/v1/accounts/brand', headers: operatorAuth });
      assert.equal(account.json<{ account: { linked: boolean } }>().account.linked, true);
      assert.equal(account.body.includes(stored.credentials.accessToken), false);
    });

    it('denied consent: a clear page, nothing stored', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
        decision: 'deny',
      });
      assert.match(callbackPath, /error=access_denied/);
      const page = await callback(callbackPath);
      assert.equal(page.statusCode, 403, page.body);
      assert.match(page.body, /連携がキャンセルされました/);
      assert.match(page.body, /Access was not granted on X, so nothing was stored/);
      const row = await storedVersion('brand');
      assert.equal(row.credentials_ciphertext, null);
      assert.equal(row.x_user_id, null);
      assert.equal((await auditOf('account.link'))[0]?.outcome, 'refused');
    });

    it('a replayed state is refused and changes nothing', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(callbackPath)).statusCode, 200);
      const before = await storedVersion('brand');
      const replay = await callback(callbackPath);
      assert.equal(replay.statusCode, 410, replay.body);
      assert.match(replay.body, /already used/);
      assert.deepEqual(await storedVersion('brand'), before);
    });

    it('an expired state (10 minutes) is refused before any exchange', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      await testDb.db
        .updateTable('oauth_states')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .execute();
      const tokenCalls = emulator.requests({ endpoint: 'oauth2.token' }).length;
      const page = await callback(callbackPath);
      assert.equal(page.statusCode, 410, page.body);
      assert.match(page.body, /expired/);
      assert.equal(emulator.requests({ endpoint: 'oauth2.token' }).length, tokenCalls);
      assert.equal((await storedVersion('brand')).credentials_ciphertext, null);
    });

    it('a state Kuji never issued is refused', async () => {
      const page = await callback('/v1/oauth/x/callback?state=forged&code=abc');
      assert.equal(page.statusCode, 422);
      assert.match(page.body, /did not issue this link/);
    });

    it('re-linking an account with campaigns as a different X user is refused; the new token is revoked', async () => {
      const first = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(first.callbackPath)).statusCode, 200);
      await seedCampaign(testDb.db, { accountId: 'brand' });
      const before = await storedVersion('brand');

      const second = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: OTHER_ID,
      });
      const page = await callback(second.callbackPath);
      assert.equal(page.statusCode, 409, page.body);
      assert.match(page.body, /@brand_jp/);
      assert.match(page.body, /you signed in as @someone_else\. Nothing was stored/);
      assert.deepEqual(await storedVersion('brand'), before);
      const otherTokens = [...emulator.state.tokens.values()].filter(
        (t) => t.kind === 'oauth2' && t.userId === OTHER_ID,
      );
      assert.equal(otherTokens.length, 1);
      assert.equal(otherTokens[0]?.revoked, true, 'the unused token went back to X');

      // The same X user re-links fine.
      const third = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(third.callbackPath)).statusCode, 200);
      assert.equal(
        (await storedVersion('brand')).credentials_version,
        before.credentials_version + 1,
      );
    });
  });

  describe('tokens over weeks', () => {
    const hours = (n: number) => n * 60 * 60_000;

    it('a linked pair refreshes with rotation; a refresh X refuses disconnects the account and is never retried', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(callbackPath)).statusCode, 200);
      const linked = await loadAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        'brand',
      );
      assert.equal(linked.credentials.kind, 'oauth2');
      if (linked.credentials.kind !== 'oauth2') return;
      const deps = {
        envelopes: credentialsEnvelopeStore(testDb.db),
        credentialsKey: testCredentialsKey,
        clientOptions: { baseUrl: emulator.url },
      };

      const refreshed = await ensureFreshCredentials(
        { ...deps, now: () => Date.now() + hours(3) },
        'brand',
      );
      assert.equal(refreshed.credentials.kind, 'oauth2');
      if (refreshed.credentials.kind !== 'oauth2') return;
      assert.notEqual(refreshed.credentials.accessToken, linked.credentials.accessToken);
      assert.notEqual(refreshed.credentials.refreshToken, linked.credentials.refreshToken);
      assert.equal(
        emulator.state.refreshTokens.get(linked.credentials.refreshToken ?? '')?.used,
        true,
        'the first refresh token is spent',
      );

      // The person removes the app on X: the refresh token dies with it.
      emulator.state.revokeUser(BRAND_ID);
      const later = { ...deps, now: () => Date.now() + hours(6) };
      await assert.rejects(
        ensureFreshCredentials(later, 'brand'),
        (error) => error instanceof XCallError && error.xError.code === 'auth_refresh_rejected',
      );
      const row = await storedVersion('brand');
      assert.deepEqual([row.status, row.credentials_ciphertext], ['disconnected', null]);

      const tokenCalls = emulator.requests({ endpoint: 'oauth2.token' }).length;
      await assert.rejects(ensureFreshCredentials(later, 'brand'), MissingCredentialsError);
      assert.equal(
        emulator.requests({ endpoint: 'oauth2.token' }).length,
        tokenCalls,
        'no second try with the dead refresh token',
      );
    });
  });

  describe('revocation from X', () => {
    it('an oauth.revoke event clears the link, disconnects the account and halts it with the auth stop', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(callbackPath)).statusCode, 200);
      const address = await api.listen({ host: '127.0.0.1', port: 0 });
      const crc = await emulator.configureWebhook(
        `${address}/v1/webhooks/x`,
        emulatorApp.consumerSecret,
      );
      assert.equal(crc.valid, true);

      // X dates the revocation by its own clock: now, after the link.
      emulator.clock.set(Date.now() + 1000);
      emulator.state.revokeUser(BRAND_ID);
      await emulator.webhookIdle();
      assert.equal(emulator.webhooks.deliveries.at(-1)?.eventType, 'oauth.revoke');
      assert.equal(emulator.webhooks.deliveries.at(-1)?.status, 200);
      const account = await api.inject({ url: '/v1/accounts/brand', headers: operatorAuth });
      const body = account.json<{
        account: { linked: boolean; status: string; halt: { category: string } | null };
      }>().account;
      assert.deepEqual(
        [body.linked, body.status, body.halt?.category],
        [false, 'disconnected', 'auth'],
      );
    });
  });

  describe('DELETE /v1/accounts/:id/connection', () => {
    it('revokes the token at X, clears it and marks the account disconnected', async () => {
      const { callbackPath } = await consentAndReturn(api, {
        accountId: 'brand',
        adminAuth,
        signInAs: BRAND_ID,
      });
      assert.equal((await callback(callbackPath)).statusCode, 200);
      const stored = await loadAccountCredentials(
        credentialsEnvelopeStore(testDb.db),
        testCredentialsKey,
        'brand',
      );
      assert.equal(stored.credentials.kind, 'oauth2');
      const response = await api.inject({
        method: 'DELETE',
        url: '/v1/accounts/brand/connection',
        headers: adminAuth,
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<{
        account: { linked: boolean; status: string };
        revokedAtX: boolean;
      }>();
      assert.deepEqual(
        [body.account.linked, body.account.status, body.revokedAtX],
        [false, 'disconnected', true],
      );
      assert.equal(emulator.state.tokens.get(stored.credentials.accessToken)?.revoked, true);
    });
  });

  describe('PUT /v1/accounts/:id/credentials', () => {
    it('imports OAuth 1.0a tokens after X confirms who they are; they are never returned', async () => {
      const response = await api.inject({
        method: 'PUT',
        url: '/v1/accounts/brand/credentials',
        headers: adminAuth,
        payload: {
          appKey: emulatorApp.consumerKey,
          appSecret: emulatorApp.consumerSecret,
          accessToken: senderOAuth1.accessToken,
          accessSecret: senderOAuth1.accessSecret,
        },
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.body.includes(senderOAuth1.accessSecret), false);
      assert.equal(response.body.includes(senderOAuth1.accessToken), false);
      const account = response.json<{
        account: { linked: boolean; xUserId: string; handle: string };
      }>();
      assert.deepEqual(
        [account.account.linked, account.account.xUserId, account.account.handle],
        [true, SENDER_ID, 'kuji_sender'],
      );
    });

    it('refuses tokens X does not accept, storing nothing', async () => {
      const response = await api.inject({
        method: 'PUT',
        url: '/v1/accounts/brand/credentials',
        headers: adminAuth,
        payload: {
          appKey: emulatorApp.consumerKey,
          appSecret: emulatorApp.consumerSecret,
          accessToken: `${ALICE_ID}-made-up`,
          accessSecret: 'made-up',
        },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json<{ code: string }>().code, 'credentials_rejected');
      assert.equal((await storedVersion('brand')).credentials_ciphertext, null);
    });
  });
});
