/**
 * Issue #13 end to end: the operator console in headless Chromium (laptop 1280×800, tablet
 * 820×1180) against the real API, worker, PostgreSQL, the time-skipping Temporal server and the
 * X emulator.
 * - an operator signs in with an API key (the browser keeps only the session cookie) and creates
 *   an instant-win campaign on the New campaign page;
 * - an approver (not the author) approves it on its approval page;
 * - participants DM the keyword on X; the operator's open deliveries tab fills in without a
 *   reload; X refuses one DM (the recipient does not follow), its reason shows in Japanese and
 *   in English; the participant follows, the operator resends it twice and X gets one DM;
 * - the operator reports a misdelivery, the stop shows on the Stops page and is resolved there;
 * - at the end of the campaign the report page draws its charts and downloads the CSV;
 * - a viewer sees every page without a button that changes anything;
 * - screenshots of every page in both languages go to test-results/console/ (ignored by git).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../../console/build';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { xErrorCatalog } from '../../domain/x-error-catalog';
import { DEMO_CONSUMER_SECRET, DEMO_SENDER_USERNAME } from '../../emulator';
import { participants, seedLinkedAccount, worldScenario } from '../support/campaign-world';
import {
  actionButtons,
  assertConsoleLooksRight,
  attributeOfAll,
  consoleScreenshot,
  openConsoleBrowser,
  signInToConsole,
  TABLET,
  useLanguage,
  type ConsolePerson,
} from '../support/console-browser';
import { liveState, skipUntil } from '../support/participant-campaigns';
import {
  deliverWebhooks,
  startParticipantStack,
  type ParticipantStack,
} from '../support/participant-stack';
import { launchChromium } from '../support/phone-browser';

/** Buttons that change something: a viewer must see none of them. */
const changingActions = [
  'new-campaign',
  'create',
  'approve',
  'pause',
  'resume',
  'cancel',
  'misdelivery',
  'resend',
  'resolve',
  'connect',
  'disconnect',
  'resume-account',
];

function instantWinConfig(accountId: string, now: Date): CampaignConfigInput {
  return {
    kind: 'instant_win',
    name: '冬のインスタントウィン / Winter instant win',
    accountId,
    post: { tweetId: '1860000000000000001' },
    entryRules: { all: [{ type: 'dm_keyword', keyword: '参加' }] },
    // Instant wins are paced over the entry period (60 entries an hour expected): 200 in stock
    // over 3 hours makes every entry win.
    prizes: [{ id: 'coupon-500', name: '500円クーポン', stock: 200, valueYen: 500, odds: 1 }],
    templates: {
      win: { dm: '{name}さん、当たりです！{prize}をお送りします。結果: {resultUrl}' },
      lose: {},
    },
    schedule: {
      startAt: new Date(now.getTime() - 60_000).toISOString(),
      // Long enough that the skips below (the browser polls in real time while the server
      // skips) never reach it before the report step.
      endAt: new Date(now.getTime() + 3 * 3_600_000).toISOString(),
      timezone: 'Asia/Tokyo',
    },
    pacing: { minGapSeconds: 1, jitterSeconds: 1 },
    compliance: { premiumKind: 'open' },
  };
}

function secretOf(stack: ParticipantStack, role: 'operator' | 'approver' | 'viewer') {
  return stack.auth(role).authorization.replace(/^Bearer /, '');
}

/** Screenshots of the page as it is, in Japanese and in English, checked for looking right. */
async function shootBothLanguages(person: ConsolePerson, name: string, ready: string) {
  for (const lang of ['ja', 'en'] as const) {
    await useLanguage(person.page, lang);
    await person.page.waitForSelector(ready);
    await assertConsoleLooksRight(person, `${name} (${lang})`);
    await consoleScreenshot(person.page, `${name}-${lang}`);
  }
  await useLanguage(person.page, 'ja');
}

function rowStates(page: Page): Promise<string[]> {
  return attributeOfAll(page, '[data-table="deliveries"] tr[data-state]', 'data-state');
}

describe('the operator console: create, approve, deliver, resend, stop, report', () => {
  let stack: ParticipantStack;
  let browser: Browser;
  let accountId: string;
  let operator: ConsolePerson;
  let approver: ConsolePerson;
  const people = participants(4, 'console');
  const campaignId = 'console-winter';
  let campaignUrl: string;

  before(async () => {
    await buildConsole();
    // X delivers the participants' DMs to Kuji's webhook, as in production.
    stack = await startParticipantStack({ webhookSecret: DEMO_CONSUMER_SECRET });
    await stack.emulator.loadScenario(worldScenario(people));
    await deliverWebhooks(stack, DEMO_CONSUMER_SECRET);
    accountId = await seedLinkedAccount(stack.testDb.db);
    browser = await launchChromium();
    operator = await openConsoleBrowser(browser);
    approver = await openConsoleBrowser(browser);
    campaignUrl = `${stack.baseUrl}/console/campaigns/${campaignId}`;
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs an operator in with an API key; the browser keeps a session cookie, not the key', async () => {
    await signInToConsole(operator, stack.baseUrl, secretOf(stack, 'operator'));
    const cookies = await operator.context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'kuji_console');
    assert.ok(session, 'no session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    const stored = await operator.page.evaluate<string>(
      'JSON.stringify({ ...window.localStorage }) + JSON.stringify({ ...window.sessionStorage })',
    );
    assert.ok(!stored.includes(secretOf(stack, 'operator')), 'the key is in browser storage');
    await shootBothLanguages(operator, 'campaigns-empty', '[data-page="campaigns"]');
  });

  it('creates a campaign on the New campaign page, checked as it is typed', async () => {
    const { page } = operator;
    await page.click('[data-action="new-campaign"]');
    await page.waitForSelector('[data-page="campaign-new"]');
    await shootBothLanguages(operator, 'campaign-new', '[data-page="campaign-new"]');
    // The configuration as JSON (the form's fields follow it), then the id typed in its field.
    const config = instantWinConfig(accountId, new Date());
    await page.click('[data-section="json"] summary');
    await page.fill('textarea[name="config-json"]', JSON.stringify(config, null, 2));
    await page.click('[data-action="apply-json"]');
    await page.fill('[data-field="id"] input', campaignId);
    await page.waitForSelector('[data-check="valid"]');
    await page.click('[data-action="create"]');
    await page.waitForURL((url) => url.pathname === `/console/campaigns/${campaignId}`);
    await page.waitForSelector('[data-page="campaign"]');
    stack.started.push(`campaign:${campaignId}`);
  });

  it('lets an approver, not the author, approve it after preflight', async () => {
    await skipUntil(
      stack,
      'awaiting approval',
      async () => (await liveState(stack, campaignId)).phase === 'awaiting_approval',
      { step: '100 milliseconds', maxSteps: 3000 },
    );
    // The author is offered no approve button.
    await operator.page.goto(`${stack.baseUrl}/console/approvals/${campaignId}`);
    await operator.page.waitForSelector('[data-page="approval"] [data-reason="author"]');
    assert.equal(await operator.page.locator('[data-action="approve"]').count(), 0);

    await signInToConsole(approver, stack.baseUrl, secretOf(stack, 'approver'));
    await approver.page.click('[data-nav="approvals"]');
    await approver.page.waitForSelector(`[data-page="approvals"] [data-row-id="${campaignId}"]`);
    await shootBothLanguages(approver, 'approvals', '[data-page="approvals"]');
    await approver.page.click(`[data-row-id="${campaignId}"] [data-link="review"]`);
    await approver.page.waitForSelector('[data-page="approval"] [data-action="approve"]');
    await shootBothLanguages(approver, 'approval', '[data-section="findings"]');
    await approver.page.click('[data-action="approve"]');
    await skipUntil(
      stack,
      'collecting',
      async () => (await liveState(stack, campaignId)).phase === 'collecting',
      { step: '1 second', maxSteps: 600 },
    );
  });

  it("fills the open deliveries tab as DMs go out, and shows X's refusal in Japanese and English", async () => {
    const { page } = operator;
    await page.goto(`${campaignUrl}?tab=deliveries`);
    await page.waitForSelector('[data-tab-panel="deliveries"]');
    // Marks this page: a reload would lose it.
    await page.evaluate('window.kujiNoReload = true');
    // X refuses the first result DM: its recipient does not follow the sender (yet).
    stack.emulator.injectFault({ endpoint: 'dm.send', fault: 'not_following' });
    const dms = people.map((person) => ({
      type: 'dm',
      from: person.username,
      to: DEMO_SENDER_USERNAME,
      text: '参加',
    }));
    const posted = await fetch(`${stack.emulator.url}/_admin/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dms),
    });
    assert.equal(posted.status, 200, await posted.text());
    await skipUntil(
      stack,
      'three DMs sent and one refused, on the page',
      async () => {
        const states = await rowStates(page);
        return (
          states.filter((s) => s === 'sent').length === 3 &&
          states.filter((s) => s === 'failed').length === 1
        );
      },
      { step: '5 seconds', maxSteps: 600 },
    );
    assert.equal(await page.evaluate<boolean>('window.kujiNoReload === true'), true);

    const failed = page.locator('[data-table="deliveries"] tr[data-state="failed"]');
    const reason = xErrorCatalog.dm_recipient_not_following?.reason;
    assert.ok(reason, 'dm_recipient_not_following has a reason in the catalog');
    assert.equal(
      await failed.locator('[data-reason]').getAttribute('data-reason'),
      'dm_recipient_not_following',
    );
    await useLanguage(page, 'ja');
    assert.match(await failed.innerText(), new RegExp(escape(reason.ja.slice(0, 20))));
    await useLanguage(page, 'en');
    assert.match(await failed.innerText(), new RegExp(escape(reason.en.slice(0, 30))));
    await shootBothLanguages(operator, 'campaign-deliveries', '[data-tab-panel="deliveries"]');
  });

  it('resends the refused DM: pressed twice, X gets one', async () => {
    const { page } = operator;
    const failedId = await page
      .locator('[data-table="deliveries"] tr[data-state="failed"]')
      .getAttribute('data-row-id');
    assert.ok(failedId);
    const xUserId = await recipientOf(stack, failedId);
    const latecomer = people.find((person) => person.id === xUserId);
    assert.ok(latecomer, `the refused DM went to ${xUserId}, no participant`);
    assert.equal(dmsTo(stack, xUserId), 0);
    // The participant follows the sender now, as the remedy says; then the operator resends.
    const followed = await fetch(`${stack.emulator.url}/_admin/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { type: 'follow', user: latecomer.username, target: DEMO_SENDER_USERNAME },
      ]),
    });
    assert.equal(followed.status, 200, await followed.text());
    await page.check(`[data-select="${failedId}"]`);
    await page.click('[data-action="resend"]');
    await page.waitForSelector('[data-resend-queued="1"]');
    await page.click('[data-action="resend"]');
    await page.waitForSelector('[data-resend-queued="0"]');
    await skipUntil(
      stack,
      'the resent DM',
      async () =>
        (await page.locator(`tr[data-row-id="${failedId}"]`).getAttribute('data-state')) === 'sent',
      { step: '10 seconds', maxSteps: 200 },
    );
    // Time for a second DM, had the second press queued one.
    await stack.env.sleep('2 minutes');
    assert.equal(dmsTo(stack, xUserId), 1, 'X got the resent DM exactly once');
  });

  it('opens a stop for a misdelivery and resolves it on the Stops page', async () => {
    const { page } = operator;
    await page.goto(`${campaignUrl}?tab=overview`);
    await page.waitForSelector('[data-tab-panel="overview"]');
    await page.waitForSelector('[data-section="misdelivery"]');
    await shootBothLanguages(operator, 'campaign-overview', '[data-page="campaign"]');
    await page.click('[data-section="misdelivery"] summary');
    await page.fill('textarea[name="reason"]', 'クーポンコードの桁が誤っていました');
    await page.fill(
      'textarea[name="followUpText"]',
      '先ほどのメッセージのクーポンコードに誤りがありました。正しいコードは結果ページをご確認ください。',
    );
    await page.click('[data-action="misdelivery"]');
    await page.waitForSelector('[data-opened]');
    await page.click('[data-nav="stops"]');
    await page.waitForSelector('[data-page="stops"] [data-resolution="dismiss"]');
    await shootBothLanguages(operator, 'stops', '[data-page="stops"]');
    await page.click('[data-resolution="dismiss"] [data-action="resolve"]');
    await skipUntil(
      stack,
      'the misdelivery stop resolved',
      async () => (await page.locator('[data-resolution="dismiss"]').count()) === 0,
      { step: '1 second', maxSteps: 300 },
    );
  });

  it('shows the sender account with its day of DMs against the cap', async () => {
    const { page } = operator;
    await page.click('[data-nav="accounts"]');
    await page.waitForSelector(`[data-page="accounts"] [data-row-id="${accountId}"]`);
    await shootBothLanguages(operator, 'accounts', '[data-page="accounts"]');
  });

  it('draws the report with its charts at the end, and downloads the CSV', async () => {
    await skipUntil(
      stack,
      'the campaign completed',
      async () => (await liveState(stack, campaignId)).phase === 'completed',
      { step: '10 minutes', maxSteps: 60 },
    );
    const { page } = operator;
    await page.goto(`${campaignUrl}/report`);
    await page.waitForSelector('[data-page="report"] canvas');
    await page.waitForSelector('[data-action="download-csv"]');
    await shootBothLanguages(operator, 'report', '[data-page="report"] canvas');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="download-csv"]'),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv, /section,key,value,detail/);
    assert.match(csv, new RegExp(`campaign,id,${campaignId}`));
    await page.goto(campaignUrl);
    await page.waitForSelector('[data-page="campaign"]');
    for (const tab of ['entries', 'draw']) {
      await page.goto(`${campaignUrl}?tab=${tab}`);
      await page.waitForSelector(`[data-tab-panel="${tab}"]`);
      await shootBothLanguages(operator, `campaign-${tab}`, `[data-tab-panel="${tab}"]`);
    }
  });

  it('looks right on a tablet', async () => {
    const tablet = await openConsoleBrowser(browser, TABLET);
    await signInToConsole(tablet, stack.baseUrl, secretOf(stack, 'operator'));
    await shootBothLanguages(tablet, 'tablet-campaigns', '[data-page="campaigns"]');
    await tablet.page.goto(`${campaignUrl}?tab=deliveries`);
    await shootBothLanguages(tablet, 'tablet-campaign-deliveries', '[data-tab-panel="deliveries"]');
    await tablet.context.close();
  });

  it('shows a viewer every page without a button that changes anything', async () => {
    const viewer = await openConsoleBrowser(browser);
    const signIn = viewer.page;
    await signIn.goto(`${stack.baseUrl}/console`);
    await signIn.waitForSelector('[data-page="sign-in"]');
    await shootBothLanguages(viewer, 'sign-in', '[data-page="sign-in"]');
    await signInToConsole(viewer, stack.baseUrl, secretOf(stack, 'viewer'));
    const pages: [string, string][] = [
      ['/console/campaigns', '[data-page="campaigns"] [data-row-id]'],
      [`/console/campaigns/${campaignId}`, '[data-page="campaign"]'],
      [
        `/console/campaigns/${campaignId}?tab=deliveries`,
        '[data-tab-panel="deliveries"] tr[data-state]',
      ],
      [`/console/campaigns/${campaignId}?tab=entries`, '[data-tab-panel="entries"]'],
      [`/console/campaigns/${campaignId}/report`, '[data-page="report"] canvas'],
      ['/console/approvals', '[data-page="approvals"]'],
      [`/console/approvals/${campaignId}`, '[data-page="approval"]'],
      ['/console/stops', '[data-page="stops"]'],
      ['/console/accounts', `[data-page="accounts"] [data-row-id="${accountId}"]`],
    ];
    for (const [path, ready] of pages) {
      await viewer.page.goto(`${stack.baseUrl}${path}`);
      await viewer.page.waitForSelector(ready);
      const offered = (await actionButtons(viewer.page)).filter((action) =>
        changingActions.includes(action),
      );
      assert.deepEqual(offered, [], `${path}: a viewer is offered ${offered.join(', ')}`);
    }
    // The same pages offer those buttons to the people who may press them.
    await operator.page.goto(`${stack.baseUrl}/console/campaigns`);
    await operator.page.waitForSelector('[data-page="campaigns"] [data-row-id]');
    assert.ok((await actionButtons(operator.page)).includes('new-campaign'));
    await viewer.context.close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The X user a delivery goes to, from the API. */
async function recipientOf(stack: ParticipantStack, deliveryId: string): Promise<string> {
  const response = await stack.app.inject({
    url: `/v1/campaigns/console-winter/deliveries?limit=500`,
    headers: stack.auth('viewer'),
  });
  const body = response.json<{ deliveries: { id: string; xUserId: string }[] }>();
  const delivery = body.deliveries.find((d) => d.id === deliveryId);
  assert.ok(delivery, `delivery ${deliveryId} not listed`);
  return delivery.xUserId;
}

function dmsTo(stack: ParticipantStack, xUserId: string): number {
  return stack.emulator.sent().dms.filter((dm) => dm.recipientId === xUserId).length;
}
