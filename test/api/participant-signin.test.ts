/**
 * "Sign in with X" on a campaign's page, through the API and the X emulator's consent screen and
 * token endpoint: the one OAuth callback finishes a participant's sign-in when the state says so,
 * revokes X's token, and the browser holds a signed cookie for that campaign only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import {
  PARTICIPANT_SESSION_COOKIE,
  PARTICIPANT_SIGNIN_COOKIE_PREFIX,
} from '../../api/participant-session';
import { SIGN_INS_PER_MINUTE } from '../../api/routes/participants';
import { insertAccount } from '../../db/repositories/accounts';
import { pinApprovedConfigVersion } from '../../db/repositories/campaigns';
import { upsertEntry } from '../../db/repositories/entries';
import { answerConsent, startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedCampaign } from '../support/fixtures';
import { buildLinkingApp, emulatorLinking } from '../support/linking';
import { ALICE_ID, app as emulatorApp, baseScenario, BOB_ID } from '../x/support';

function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('participant sign-in with X', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  let campaignId: string;
  let otherCampaignId: string;

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
    await emulator.loadScenario(baseScenario());
    await insertAccount(testDb.db, { id: 'brand', handle: 'kuji_sender' });
    campaignId = (await seedCampaign(testDb.db, { accountId: 'brand', id: 'spring-lottery' })).id;
    otherCampaignId = (await seedCampaign(testDb.db, { accountId: 'brand', id: 'other-lottery' }))
      .id;
    for (const id of [campaignId, otherCampaignId])
      await pinApprovedConfigVersion(testDb.db, id, 1);
    await testDb.db
      .updateTable('campaigns')
      .set({ secret_seed: 'a1b2c3d4e5f60718' })
      .where('id', '=', campaignId)
      .execute();
    await upsertEntry(testDb.db, {
      campaignId,
      xUserId: ALICE_ID,
      username: 'alice',
      consentBasis: 'none',
      facts: {},
      eligible: true,
      reasons: [],
    });
  });

  /**
   * Sign-in as a browser does it: the page's link (which sets the sign-in cookie), X's consent
   * screen, the callback with that cookie.
   */
  async function signIn(
    campaign: string,
    userId: string,
    decision: 'allow' | 'deny' = 'allow',
  ): Promise<{
    callbackPath: string;
    nonceCookie: string;
    response: Awaited<ReturnType<FastifyInstance['inject']>>;
  }> {
    const { callbackPath, nonceCookie } = await consentOnly(campaign, userId, decision);
    const response = await api.inject({ url: callbackPath, headers: { cookie: nonceCookie } });
    return { callbackPath, nonceCookie, response };
  }

  /** Starts sign-in and answers X's consent screen, stopping before the callback. */
  async function consentOnly(
    campaign: string,
    userId: string,
    decision: 'allow' | 'deny' = 'allow',
  ): Promise<{ callbackPath: string; nonceCookie: string }> {
    const start = await api.inject({ url: `/c/${campaign}/signin` });
    assert.equal(start.statusCode, 303, start.body);
    const { callbackUrl } = await answerConsent(String(start.headers.location), {
      userId,
      decision,
    });
    const url = new URL(callbackUrl);
    return { callbackPath: `${url.pathname}${url.search}`, nonceCookie: nonceCookieOf(start) };
  }

  function setCookies(response: { headers: Record<string, unknown> }): string[] {
    const raw = response.headers['set-cookie'];
    return Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  }

  function cookieOf(response: { headers: Record<string, unknown> }): string {
    const header = setCookies(response).find((c) => c.startsWith(`${PARTICIPANT_SESSION_COOKIE}=`));
    const match = header?.match(new RegExp(`^${PARTICIPANT_SESSION_COOKIE}=([^;]+)`));
    assert.ok(match?.[1], `a session cookie: ${setCookies(response).join(' | ')}`);
    return `${PARTICIPANT_SESSION_COOKIE}=${match[1]}`;
  }

  const signInCookiePattern = new RegExp(
    `^(${PARTICIPANT_SIGNIN_COOKIE_PREFIX}[0-9a-f]{16})=([^;]+)`,
  );

  function nonceCookieOf(response: { headers: Record<string, unknown> }): string {
    const match = setCookies(response)
      .map((c) => c.match(signInCookiePattern))
      .find((m) => m !== null);
    assert.ok(match?.[2], `a sign-in cookie: ${setCookies(response).join(' | ')}`);
    return `${match[1]}=${match[2]}`;
  }

  /** A browser's cookie jar: keeps what responses set (by name), drops what they expire. */
  function cookieJar() {
    const cookies = new Map<string, string>();
    return {
      take(response: { headers: Record<string, unknown> }) {
        for (const header of setCookies(response)) {
          const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
          const [name = '', ...value] = pair.split('=');
          if (attributes.includes('Max-Age=0')) cookies.delete(name);
          else cookies.set(name, value.join('='));
        }
      },
      header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      names: () => [...cookies.keys()],
    };
  }

  function sessionCookieSet(response: { headers: Record<string, unknown> }): boolean {
    return setCookies(response).some((c) => /^kuji_participant=[^;]+/.test(c));
  }

  describe('GET /c/:campaignId/signin', () => {
    it("sends the participant to X's consent screen with only users.read tweet.read and a state bound to the campaign", async () => {
      const response = await api.inject({ url: `/c/${campaignId}/signin` });
      assert.equal(response.statusCode, 303);
      const url = new URL(String(response.headers.location));
      assert.equal(`${url.origin}${url.pathname}`, `${emulator.url}/i/oauth2/authorize`);
      assert.equal(url.searchParams.get('scope'), 'users.read tweet.read');
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('redirect_uri'), 'http://kuji.test/v1/oauth/x/callback');
      const states = await testDb.db.selectFrom('oauth_states').selectAll().execute();
      assert.equal(states.length, 1);
      assert.equal(states[0]?.purpose, 'participant_signin');
      assert.equal(states[0]?.campaign_id, campaignId);
      assert.equal(states[0]?.account_id, null);
    });

    it(`allows ${SIGN_INS_PER_MINUTE} sign-in starts a minute per address, then answers a 429 page storing nothing`, async () => {
      const start = (remoteAddress: string) =>
        api.inject({ url: `/c/${campaignId}/signin`, remoteAddress });
      for (let i = 0; i < SIGN_INS_PER_MINUTE; i++) {
        assert.equal((await start('198.51.100.7')).statusCode, 303);
      }
      const limited = await start('198.51.100.7');
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.ok(visibleText(limited.body).includes('Too many sign-ins'), limited.body);
      const states = await testDb.db.selectFrom('oauth_states').selectAll().execute();
      assert.equal(states.length, SIGN_INS_PER_MINUTE);
      assert.equal((await start('198.51.100.8')).statusCode, 303, 'another address is not limited');
    });

    it('answers a 404 page for an unknown campaign, and for one no approver signed off', async () => {
      await testDb.db
        .updateTable('campaigns')
        .set({ approved_config_version: null })
        .where('id', '=', otherCampaignId)
        .execute();
      for (const id of ['no-such-campaign', otherCampaignId]) {
        const response = await api.inject({ url: `/c/${id}/signin` });
        assert.equal(response.statusCode, 404, id);
        assert.equal((await api.inject({ url: `/c/${id}` })).statusCode, 404, id);
      }
      assert.equal((await testDb.db.selectFrom('oauth_states').selectAll().execute()).length, 0);
    });
  });

  describe('GET /c/verify-draw.mjs', () => {
    it('serves scripts/verify-draw.mjs as it is, as a cacheable download', async () => {
      const response = await api.inject({ url: '/c/verify-draw.mjs' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(
        response.headers['content-disposition'],
        'attachment; filename="verify-draw.mjs"',
      );
      assert.match(String(response.headers['cache-control']), /^public\b/);
      const script = readFileSync(path.join(__dirname, '..', '..', 'scripts', 'verify-draw.mjs'));
      assert.equal(response.body, script.toString('utf8'));
      assert.match(response.body, /^#!\/usr\/bin\/env node/);
    });
  });

  describe('GET /v1/oauth/x/callback (participant sign-in)', () => {
    it("signs the participant in: a session cookie, back to the campaign page, X's token revoked, nothing of it stored", async () => {
      const { response } = await signIn(campaignId, ALICE_ID);
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, `/c/${campaignId}`);
      const setCookie =
        setCookies(response).find((c) => c.startsWith(`${PARTICIPANT_SESSION_COOKIE}=`)) ?? '';
      assert.match(setCookie, /; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
      assert.ok(!setCookie.includes('Secure'), 'http base URL: no Secure flag');
      // The cookie names campaign and user in the clear; the MAC makes it unforgeable.
      assert.match(
        setCookie,
        new RegExp(`=${campaignId}\\.${ALICE_ID}\\.[0-9]+\\.[A-Za-z0-9_-]{43};`),
      );

      const tokens = [...emulator.state.tokens.values()].filter(
        (t) => t.kind === 'oauth2' && t.userId === ALICE_ID,
      );
      assert.equal(tokens.length, 1);
      assert.equal(tokens[0]?.revoked, true, 'the token went back to X at once');
      assert.deepEqual(tokens[0]?.kind === 'oauth2' ? tokens[0].scopes : [], [
        'users.read',
        'tweet.read',
      ]);
      assert.equal(emulator.requests({ endpoint: 'users.me' }).length, 1);
      // Nothing about the person or the token is stored: only the spent state.
      const account = await testDb.db.selectFrom('accounts').selectAll().execute();
      assert.equal(account.length, 1);
      assert.equal(account[0]?.credentials_ciphertext, null);
      assert.equal((await testDb.db.selectFrom('audit_log').selectAll().execute()).length, 0);

      const page = await api.inject({
        url: `/c/${campaignId}`,
        headers: { cookie: cookieOf(response) },
      });
      assert.equal(page.statusCode, 200);
      const text = visibleText(page.body);
      assert.ok(text.includes('抽選はまだ行われていません'), text);
      assert.ok(text.includes('The draw has not taken place yet'), text);
      assert.match(text, /確認コード .*KJ-[0-9A-Z]{4}-[0-9A-Z]{4}/);
      assert.ok(text.includes('サインアウト'), text);
      // Which X account is signed in, by the username this campaign's entry recorded.
      assert.ok(text.includes('@alice でサインイン中 Signed in as @alice'), text);

      // Without an entry here, Kuji knows no username: the page says the X user id instead.
      const other = await signIn(otherCampaignId, ALICE_ID);
      const otherText = visibleText(
        (
          await api.inject({
            url: `/c/${otherCampaignId}`,
            headers: { cookie: cookieOf(other.response) },
          })
        ).body,
      );
      assert.ok(
        otherText.includes(`Signed in with X (user id ${ALICE_ID})`) &&
          !otherText.includes('@alice'),
        otherText,
      );
    });

    it("revokes X's token when reading who signed in fails after the exchange: no session, 'failed'", async () => {
      emulator.injectFault({ endpoint: 'users.me', sequence: ['server_error'] });
      const { response } = await signIn(campaignId, ALICE_ID);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/c/${campaignId}?notice=failed`);
      assert.ok(!sessionCookieSet(response));
      const tokens = [...emulator.state.tokens.values()].filter(
        (t) => t.kind === 'oauth2' && t.userId === ALICE_ID,
      );
      assert.equal(tokens.length, 1, 'the code was exchanged');
      assert.equal(tokens[0]?.revoked, true, 'and the token went back to X');
    });

    it('a participant who declines on X comes back to the page, signed out, told that nothing was stored', async () => {
      const { response } = await signIn(campaignId, ALICE_ID, 'deny');
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/c/${campaignId}?notice=denied`);
      assert.ok(!sessionCookieSet(response));
      const page = await api.inject({ url: String(response.headers.location) });
      const text = visibleText(page.body);
      assert.ok(text.includes('Xでのサインインがキャンセルされました'), text);
      assert.ok(text.includes('Sign-in was cancelled on X. Nothing was stored.'), text);
      assert.ok(text.includes('Xでサインイン'), text);
    });

    it('a replayed callback is refused: no second session, the page asks to sign in again', async () => {
      const { callbackPath, nonceCookie, response } = await signIn(campaignId, ALICE_ID);
      assert.equal(response.statusCode, 303);
      const replay = await api.inject({ url: callbackPath, headers: { cookie: nonceCookie } });
      assert.equal(replay.statusCode, 303);
      assert.equal(replay.headers.location, `/c/${campaignId}?notice=expired`);
      assert.equal(replay.headers['set-cookie'], undefined);
    });

    it('sets a 10-minute HttpOnly sign-in cookie at the start, stores only its hash, and clears it at the callback', async () => {
      const start = await api.inject({ url: `/c/${campaignId}/signin` });
      const [header = ''] = setCookies(start);
      assert.match(
        header,
        new RegExp(
          `^${PARTICIPANT_SIGNIN_COOKIE_PREFIX}[0-9a-f]{16}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax$`,
        ),
      );
      const nonce = nonceCookieOf(start).split('=')[1] ?? '';
      const states = await testDb.db.selectFrom('oauth_states').selectAll().execute();
      assert.equal(states.length, 1);
      assert.match(states[0]?.browser_nonce_hash ?? '', /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(states).includes(nonce), 'the nonce itself is not stored');

      const { response, nonceCookie } = await signIn(campaignId, ALICE_ID);
      const name = nonceCookie.split('=')[0] ?? '';
      assert.deepEqual(
        setCookies(response).filter((c) => c.startsWith(PARTICIPANT_SIGNIN_COOKIE_PREFIX)),
        [`${name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`],
      );
    });

    it('two sign-ins pending in one browser (two campaigns, a second tap) each complete, clearing only their own cookie', async () => {
      const browser = cookieJar();
      const pending = [];
      for (const campaign of [campaignId, otherCampaignId, campaignId]) {
        const start = await api.inject({
          url: `/c/${campaign}/signin`,
          headers: { cookie: browser.header() },
          remoteAddress: '198.51.100.20', // apart from the other tests' sign-in rate limit
        });
        assert.equal(start.statusCode, 303, start.body);
        browser.take(start);
        const { callbackUrl } = await answerConsent(String(start.headers.location), {
          userId: ALICE_ID,
          decision: 'allow',
        });
        const url = new URL(callbackUrl);
        pending.push({ campaign, path: `${url.pathname}${url.search}`, start });
      }
      assert.equal(browser.names().length, 3, browser.names().join(' '));
      for (const { campaign, path, start } of pending) {
        const response = await api.inject({ url: path, headers: { cookie: browser.header() } });
        assert.equal(response.statusCode, 303);
        assert.equal(response.headers.location, `/c/${campaign}`);
        assert.ok(sessionCookieSet(response), setCookies(response).join(' | '));
        const own = nonceCookieOf(start).split('=')[0] ?? '';
        const cleared = setCookies(response)
          .filter((c) => c.startsWith(PARTICIPANT_SIGNIN_COOKIE_PREFIX))
          .map((c) => c.split('=')[0]);
        assert.deepEqual(cleared, [own]);
        browser.take(response);
      }
      assert.deepEqual(
        browser.names().filter((n) => n.startsWith(PARTICIPANT_SIGNIN_COOKIE_PREFIX)),
        [],
      );
    });

    it("a foreign callback link opened in this browser leaves this browser's pending sign-in alone", async () => {
      // Each on its own address, apart from the other tests' sign-in rate limit.
      const consent = async (userId: string, remoteAddress: string) => {
        const start = await api.inject({ url: `/c/${campaignId}/signin`, remoteAddress });
        const { callbackUrl } = await answerConsent(String(start.headers.location), {
          userId,
          decision: 'allow',
        });
        return { start, callbackUrl };
      };
      const browser = cookieJar();
      const { start, callbackUrl } = await consent(ALICE_ID, '198.51.100.21');
      browser.take(start);
      // The attacker consents with their own account and stops before the callback.
      const attacker = new URL((await consent(BOB_ID, '198.51.100.22')).callbackUrl);
      const foreign = await api.inject({
        url: `${attacker.pathname}${attacker.search}`,
        headers: { cookie: browser.header() },
      });
      assert.equal(foreign.headers.location, `/c/${campaignId}?notice=restart`);
      assert.deepEqual(setCookies(foreign), [], 'no cookie set or cleared');
      browser.take(foreign);
      const url = new URL(callbackUrl);
      const own = await api.inject({
        url: `${url.pathname}${url.search}`,
        headers: { cookie: browser.header() },
      });
      assert.equal(own.headers.location, `/c/${campaignId}`);
      assert.ok(sessionCookieSet(own), setCookies(own).join(' | '));
    });

    it("a callback link someone else started (login CSRF) signs this browser in as no one: no session, 'start again' page", async () => {
      // The attacker consents with their own account and stops before the callback.
      const attacker = await consentOnly(campaignId, BOB_ID);
      // The victim's browser opens the link: without the sign-in cookie, or with its own from
      // a sign-in it started itself, it gets no session.
      const ownStart = await api.inject({ url: `/c/${campaignId}/signin` });
      for (const headers of [{}, { cookie: nonceCookieOf(ownStart) }]) {
        const fresh = await consentOnly(campaignId, BOB_ID);
        for (const path of headers.cookie ? [fresh.callbackPath] : [attacker.callbackPath]) {
          const response = await api.inject({ url: path, headers });
          assert.equal(response.statusCode, 303);
          assert.equal(response.headers.location, `/c/${campaignId}?notice=restart`);
          assert.ok(!sessionCookieSet(response), setCookies(response).join(' | '));
        }
      }
      // The code was never exchanged: X issued no token for the attacker.
      const tokens = [...emulator.state.tokens.values()].filter(
        (t) => t.kind === 'oauth2' && t.userId === BOB_ID,
      );
      assert.equal(tokens.length, 0);
      const page = await api.inject({ url: `/c/${campaignId}?notice=restart` });
      const text = visibleText(page.body);
      assert.ok(text.includes('このブラウザで始められたものではありません'), text);
      assert.ok(text.includes('please start sign-in again'), text);
      assert.ok(!text.includes('サインアウト'), text);
    });

    it('a sign-in state cannot finish an account link, and unknown states still get the link page', async () => {
      const unknown = await api.inject({ url: '/v1/oauth/x/callback?state=forged&code=x' });
      assert.equal(unknown.statusCode, 422);
      assert.equal(unknown.headers['set-cookie'], undefined);
    });
  });

  describe('the session cookie', () => {
    it('is bound to its campaign and its user: another campaign, an altered user or MAC, and an expired one sign no one in', async () => {
      const { response } = await signIn(campaignId, ALICE_ID);
      const cookie = cookieOf(response);
      const onOther = await api.inject({ url: `/c/${otherCampaignId}`, headers: { cookie } });
      assert.ok(visibleText(onOther.body).includes('Xでサインイン'), 'anonymous elsewhere');
      assert.ok(!onOther.body.includes('サインアウト'));

      const [, value = ''] = cookie.split('=');
      const [c, , expiry, mac] = value.split('.');
      const forgeries = [
        `${c}.${BOB_ID}.${expiry}.${mac}`,
        `${otherCampaignId}.${ALICE_ID}.${expiry}.${mac}`,
        `${c}.${ALICE_ID}.${Number(expiry) + 3600}.${mac}`,
        `${c}.${ALICE_ID}.${expiry}.${mac?.slice(0, -2)}AA`,
        `${c}.${ALICE_ID}.${expiry}`,
      ];
      for (const forged of forgeries) {
        const page = await api.inject({
          url: `/c/${campaignId}`,
          headers: { cookie: `${PARTICIPANT_SESSION_COOKIE}=${forged}` },
        });
        assert.equal(page.statusCode, 200);
        assert.ok(!page.body.includes('サインアウト'), forged);
        assert.ok(visibleText(page.body).includes('Xでサインイン'), forged);
      }
    });

    it("a sign-out post without this campaign's session and token changes nothing (another site, another campaign's path)", async () => {
      const { response } = await signIn(campaignId, ALICE_ID);
      const cookie = cookieOf(response);
      for (const [url, payload] of [
        [`/c/${otherCampaignId}/signout`, ''],
        [`/c/${otherCampaignId}/signout`, 'csrf=wrong'],
        ['/c/no-such-campaign/signout', ''],
      ] as const) {
        const forged = await api.inject({
          method: 'POST',
          url,
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload,
        });
        assert.equal(forged.statusCode, 303, url);
        assert.equal(forged.headers['set-cookie'], undefined, `${url} ${payload}`);
      }
      const noToken = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/signout`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      assert.equal(noToken.statusCode, 403);
      assert.equal(noToken.headers['set-cookie'], undefined);
      // The session still works.
      const page = await api.inject({ url: `/c/${campaignId}`, headers: { cookie } });
      assert.ok(page.body.includes('サインアウト'));
    });

    it('signing out clears the cookie', async () => {
      const { response } = await signIn(campaignId, ALICE_ID);
      const cookie = cookieOf(response);
      const page = await api.inject({ url: `/c/${campaignId}`, headers: { cookie } });
      const csrf = page.body.match(/name="csrf" value="([^"]+)"/)?.[1];
      assert.ok(csrf);
      const refused = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/signout`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'csrf=wrong',
      });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.headers['set-cookie'], undefined);
      const out = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/signout`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `csrf=${encodeURIComponent(csrf)}`,
      });
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, `/c/${campaignId}?notice=signed_out`);
      assert.match(
        String(out.headers['set-cookie']),
        new RegExp(`^${PARTICIPANT_SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly`),
      );
    });
  });

  describe('without X linking configured', () => {
    it('the page says sign-in is unavailable (Japanese and English) and the sign-in link answers 503, not a crash', async () => {
      const bare = await buildApp({
        db: testDb.db,
        temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
        temporalConfig: { namespace: 'default', taskQueue: 'unused' },
      });
      try {
        const page = await bare.inject({ url: `/c/${campaignId}` });
        assert.equal(page.statusCode, 200);
        const text = visibleText(page.body);
        assert.ok(text.includes('現在、Xでのサインインは利用できません'), text);
        assert.ok(text.includes('Sign-in with X is not available at the moment'), text);
        assert.ok(!page.body.includes('/signin"'), 'no sign-in link');
        const signIn = await bare.inject({ url: `/c/${campaignId}/signin` });
        assert.equal(signIn.statusCode, 503);
        assert.ok(visibleText(signIn.body).includes('Sign-in with X is not available'));
      } finally {
        await bare.close();
      }
    });
  });
});
