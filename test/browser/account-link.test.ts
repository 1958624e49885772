/**
 * A brand links its X account the way a person does (headless Chromium): the API's connect
 * answers the consent screen's URL, the person picks the account and presses Authorize on the
 * X emulator's page, X sends the browser back to Kuji's callback, which says connected as
 * @handle. Then the new token carries a rehearsal DM, and a refresh rotates it.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import type { Activities } from '../../activities';
import { CALLBACK_PATH, type XLinking } from '../../api/x-linking';
import { insertApiKey } from '../../db/repositories/api-keys';
import { findCampaignById } from '../../db/repositories/campaigns';
import { repoRoot } from '../../scripts/lib/paths';
import { findChromium } from '../../scripts/lib/provision';
import { getMe } from '../../x/api';
import { createXClient } from '../../x/client';
import { loadAccountCredentials } from '../../x/credentials';
import {
  DEMO_OAUTH_CLIENT,
  DEMO_SENDER_USER_ID,
  startXEmulator,
  type XEmulator,
} from '../../emulator';
import { ensureFreshCredentials } from '../../x/token-refresh';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { buildLinkingApp, emulatorLinking } from '../support/linking';
import { registerTestAccounts } from '../support/test-accounts';
import { runActivity } from '../x/support';
import { testActivities } from '../support/temporal';

const artifacts = path.join(repoRoot, 'test-results');

describe('linking an X account in a browser', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  let linking: XLinking;
  let browser: Browser;
  let adminAuth: { authorization: string };
  const [tester] = participants(1, 'tester');

  before(async () => {
    [testDb, emulator] = await Promise.all([createTestDatabase(), startXEmulator({ port: 0 })]);
    await emulator.loadScenario(worldScenario([tester!]));
    linking = emulatorLinking(emulator, DEMO_OAUTH_CLIENT);
    api = await buildLinkingApp(testDb.db, linking);
    await api.listen({ host: '127.0.0.1', port: 0 });
    const { port } = api.server.address() as AddressInfo;
    // X sends the browser back to where the API listens.
    linking.client.redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    adminAuth = {
      authorization: `Bearer ${(await insertApiKey(testDb.db, { id: 'admin', name: 'admin', role: 'admin' })).secret}`,
    };
    browser = await chromium.launch({
      executablePath: findChromium(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await emulator?.close();
    await testDb?.close();
  });

  async function screenshot(page: Page, name: string) {
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, name), fullPage: true });
  }

  function activities(): Activities {
    return testActivities({
      db: testDb.db,
      credentialsKey: testCredentialsKey,
      xApiBaseUrl: emulator.url,
      publicBaseUrl: 'http://kuji.test',
      x: { requestTimeoutMs: 5_000 },
    });
  }

  it('connect → the consent screen → the callback page; a rehearsal DM goes out with the new token, and a refresh rotates it', async () => {
    const created = await api.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: adminAuth,
      payload: { id: 'brand', displayName: 'ブランド公式', timezone: 'Asia/Tokyo', dmDailyCap: 50 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const shell = created.json<{
      account: { handle: string; displayName: string; linked: boolean };
    }>();
    assert.deepEqual(
      [shell.account.handle, shell.account.displayName, shell.account.linked],
      ['~brand', 'ブランド公式', false],
    );
    const connect = await api.inject({
      method: 'POST',
      url: '/v1/accounts/brand/connect',
      headers: adminAuth,
    });
    assert.equal(connect.statusCode, 200, connect.body);
    const { authorizeUrl } = connect.json<{ authorizeUrl: string }>();

    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl);
      assert.match(await page.locator('h1').innerText(), /Authorize app/);
      for (const scope of ['dm.write', 'offline.access']) {
        assert.ok(await page.getByText(scope, { exact: true }).isVisible(), scope);
      }
      await page.selectOption('#user_id', DEMO_SENDER_USER_ID);
      await screenshot(page, 'account-link-consent.png');
      await Promise.all([
        page.waitForURL((url) => url.pathname === CALLBACK_PATH),
        page.click('#allow'),
      ]);
      const text = await page.locator('body').innerText();
      assert.match(text, /Xアカウントを連携しました/);
      assert.match(text, /connected as @kuji_demo/);
      assert.equal(await page.locator('#back').count(), 1);
      await screenshot(page, 'account-link-callback.png');
    } finally {
      await page.close();
    }

    const linked = await loadAccountCredentials(
      credentialsEnvelopeStore(testDb.db),
      testCredentialsKey,
      'brand',
    );
    assert.equal(linked.credentials.kind, 'oauth2');
    if (linked.credentials.kind !== 'oauth2') return;
    assert.equal(linked.handle, 'kuji_demo');

    // The rehearsal before launch sends the real template to a registered test account.
    await registerTestAccounts(testDb.db, 'brand', [tester!.id]);
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId: 'brand',
      people: [],
      config: dmKeywordDrawConfig('brand', new Date(), {
        winners: 1,
        overrides: { testAccounts: [tester!.id] },
      }),
    });
    const since = emulator.requests().at(-1)?.seq ?? 0;
    const run = await runActivity(() => activities().runPreflight({ campaignId: campaign.id }));
    assert.equal(run.error, undefined, String(run.error));
    const preflight = (await findCampaignById(testDb.db, campaign.id))?.preflight as {
      rehearsal: { testUserId: string; arrived: boolean }[];
    };
    assert.deepEqual(
      preflight.rehearsal.map((r) => [r.testUserId, r.arrived]),
      [[tester!.id, true]],
    );
    const sends = emulator.requests({ since, endpoint: 'dm.send' });
    assert.deepEqual(
      sends.map((s) => [s.userId, s.status]),
      [[DEMO_SENDER_USER_ID, 201]],
    );
    const [dm] = emulator.sent().dms.filter((d) => d.recipientId === tester!.id);
    assert.equal(dm?.senderId, DEMO_SENDER_USER_ID);
    assert.equal(emulator.state.tokens.get(linked.credentials.accessToken)?.kind, 'oauth2');

    // Hours later the access token is near its end: the refresh rotates the pair.
    const refreshed = await ensureFreshCredentials(
      {
        envelopes: credentialsEnvelopeStore(testDb.db),
        credentialsKey: testCredentialsKey,
        clientOptions: { baseUrl: emulator.url },
        now: () => Date.now() + 3 * 60 * 60_000,
      },
      'brand',
    );
    assert.equal(refreshed.credentials.kind, 'oauth2');
    if (refreshed.credentials.kind !== 'oauth2') return;
    assert.notEqual(refreshed.credentials.accessToken, linked.credentials.accessToken);
    assert.notEqual(refreshed.credentials.refreshToken, linked.credentials.refreshToken);
    assert.equal(
      emulator.state.refreshTokens.get(linked.credentials.refreshToken ?? '')?.used,
      true,
    );
    const me = await getMe(createXClient(refreshed.credentials, { baseUrl: emulator.url }));
    assert.equal(me.user.id, DEMO_SENDER_USER_ID);
  });
});
