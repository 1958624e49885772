/**
 * The console's Campaign page in headless Chromium against the real API, worker, PostgreSQL, the
 * time-skipping Temporal server and the X emulator, signed in through the console's form:
 * - an instant win whose one result DM X refuses once (not_permitted): the operator sees the
 *   failure's reason and remedy in Japanese and in English, ticks it and resends it with a double
 *   click (one request), the row turns sent, a second press and a second API call send nothing
 *   more, one DM in all;
 * - pause and resume by role: an approver may pause but not resume, an operator resumes;
 * - a viewer reads every tab without a single button that changes something.
 * Laptop and tablet widths, both languages, no CSP refusal or page error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../../console/build';
import type { ApiRole } from '../../db/database';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { participants, seedLinkedAccount, worldScenario } from '../support/campaign-world';
import {
  actionButtons,
  assertConsoleLooksRight,
  consoleScreenshot,
  LAPTOP,
  openConsoleBrowser,
  signInToConsole,
  TABLET,
  useLanguage,
  type ConsolePerson,
} from '../support/console-browser';
import { createDmKeywordCampaign, skipUntil } from '../support/participant-campaigns';
import { startParticipantStack, type ParticipantStack } from '../support/participant-stack';
import { launchChromium } from '../support/phone-browser';

interface DeliveryView {
  id: string;
  xUserId: string;
  state: string;
  errorCode: string | null;
  errorReason: { ja: string; en: string } | null;
  errorRemedy: { ja: string; en: string } | null;
}

/** Everyone who DMs the keyword hears at once, won or lost; the window outlasts the test. */
function instantWinConfig(accountId: string, now: Date): CampaignConfigInput {
  return {
    kind: 'instant_win',
    name: '冬のインスタントウィン',
    accountId,
    post: { tweetId: '1860000000000000001' },
    entryRules: { all: [{ type: 'dm_keyword', keyword: '参加' }] },
    prizes: [{ id: 'gift', name: 'ギフト券', stock: 2, valueYen: 500, odds: 1 }],
    templates: {
      win: { dm: '{name}さん、当選です！{prize}をお送りします。詳細: {resultUrl}' },
      lose: { dm: '{name}さん、ご参加ありがとうございました。結果: {resultUrl}' },
    },
    schedule: {
      startAt: new Date(now.getTime() + 60_000).toISOString(),
      endAt: new Date(now.getTime() + 6 * 3_600_000).toISOString(),
      timezone: 'Asia/Tokyo',
    },
    pacing: { minGapSeconds: 1, jitterSeconds: 1 },
    compliance: { premiumKind: 'open' },
  };
}

describe('console: the Campaign page', () => {
  let stack: ParticipantStack;
  let browser: Browser;
  const people = participants(1, 'camp');
  const fan = people[0]!;
  const id = 'console-campaign-page';
  const opened: ConsolePerson[] = [];

  const keyOf = (role: ApiRole) => stack.auth(role).authorization.replace(/^Bearer /, '');

  async function signedIn(role: ApiRole, viewport: { width: number; height: number } = LAPTOP) {
    const person = await openConsoleBrowser(browser, viewport);
    opened.push(person);
    await signInToConsole(person, stack.baseUrl, keyOf(role));
    return person;
  }

  async function openTab(page: Page, tab: string) {
    await page.goto(`${stack.baseUrl}/console/campaigns/${id}?tab=${tab}`);
    await page.waitForSelector(`[data-page="campaign"] [data-tab-panel="${tab}"]`);
  }

  async function deliveries(state?: string): Promise<DeliveryView[]> {
    const response = await stack.app.inject({
      url: `/v1/campaigns/${id}/deliveries${state ? `?state=${state}` : ''}`,
      headers: stack.auth('viewer'),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ deliveries: DeliveryView[] }>().deliveries;
  }

  async function paused(): Promise<boolean> {
    const response = await stack.app.inject({
      url: `/v1/campaigns/${id}`,
      headers: stack.auth('viewer'),
    });
    return response.json<{ campaign: { paused: boolean } }>().campaign.paused;
  }

  const dmsToFan = () => stack.emulator.sent().dms.filter((dm) => dm.recipientId === fan.id);

  before(async () => {
    await buildConsole();
    stack = await startParticipantStack({ taskQueue: `console-campaign-${process.pid}` });
    await stack.emulator.loadScenario(worldScenario(people));
    const accountId = await seedLinkedAccount(stack.testDb.db);
    browser = await launchChromium();
    // X refuses the first DM once, as it does when the recipient's DM settings refuse us.
    stack.emulator.injectFault({ endpoint: 'dm.send', fault: 'not_permitted', count: 1 });
    const now = new Date(await stack.env.currentTimeMs());
    await createDmKeywordCampaign(stack, id, instantWinConfig(accountId, now), fan);
    await skipUntil(
      stack,
      `${id}: the refused result DM`,
      async () => (await deliveries('failed')).length === 1,
      { step: '10 seconds', maxSteps: 120 },
    );
  });
  after(async () => {
    for (const person of opened) await person.context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  it("an operator reads the failure's reason and remedy in both languages and resends it: one DM", async () => {
    const [failed] = await deliveries('failed');
    assert.ok(failed?.errorReason && failed.errorRemedy, 'the API gives a reason and remedy');
    assert.equal(failed.xUserId, fan.id);
    assert.equal(failed.errorCode, 'dm_not_permitted');
    assert.equal(dmsToFan().length, 0, 'X refused the first DM');

    const operator = await signedIn('operator');
    const resendRequests: string[] = [];
    operator.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/deliveries/resend')) {
        resendRequests.push(request.postData() ?? '');
      }
    });
    await openTab(operator.page, 'deliveries');
    const row = `[data-table="deliveries"] [data-row-id="${failed.id}"]`;
    await operator.page.waitForSelector(`${row}[data-state="failed"]`);
    const reasonCell = operator.page.locator(`${row} [data-reason]`);
    assert.equal(await reasonCell.getAttribute('data-reason'), 'dm_not_permitted');
    const japanese = await reasonCell.innerText();
    assert.ok(japanese.includes(failed.errorReason.ja), `Japanese reason in: ${japanese}`);
    assert.ok(japanese.includes(failed.errorRemedy.ja), 'Japanese remedy');
    await assertConsoleLooksRight(operator, 'deliveries (operator, ja)');
    await consoleScreenshot(operator.page, 'campaign-deliveries-failed-ja-laptop');

    await useLanguage(operator.page, 'en');
    await operator.page.waitForFunction(
      `document.querySelector(${JSON.stringify(`${row} [data-reason]`)})?.textContent` +
        `?.includes(${JSON.stringify(failed.errorReason.en)})`,
    );
    assert.ok((await reasonCell.innerText()).includes(failed.errorRemedy.en), 'English remedy');
    await consoleScreenshot(operator.page, 'campaign-deliveries-failed-en-laptop');

    // The category filter keeps the failure; another category hides it.
    await operator.page.selectOption('select[name="category"]', 'recipient_unreachable');
    await operator.page.waitForSelector(row);
    await operator.page.selectOption('select[name="category"]', 'auth');
    await operator.page.waitForSelector('[data-page="campaign"] .empty');
    await operator.page.selectOption('select[name="category"]', '');
    await operator.page.waitForSelector(`${row}[data-state="failed"]`);

    await operator.page.check(`${row} input[type="checkbox"]`);
    await operator.page.dblclick('[data-action="resend"]');
    await operator.page.waitForSelector('[data-resend-queued="1"][data-resend-skipped="0"]');
    assert.deepEqual(resendRequests, [JSON.stringify({ deliveryIds: [failed.id] })]);
    await operator.page.waitForSelector(`${row}[data-state="sent"]`, { timeout: 30_000 });
    assert.equal(dmsToFan().length, 1, 'the resend sent the DM');

    // The row stays ticked: a second press asks again, and the API sends nothing more.
    await operator.page.click('[data-action="resend"]');
    await operator.page.waitForSelector('[data-resend-queued="0"][data-resend-skipped="1"]');
    assert.equal(resendRequests.length, 2);
    assert.match(
      await operator.page.locator('.resend-answer').innerText(),
      /already sent 1/,
      'the answer says why nothing went out',
    );

    const again = await stack.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${id}/deliveries/resend`,
      headers: stack.auth('operator'),
      payload: { deliveryIds: [failed.id] },
    });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), {
      queued: 0,
      results: [{ id: failed.id, outcome: 'already_sent' }],
    });
    assert.equal(dmsToFan().length, 1, 'neither second resend sent anything');
    assert.deepEqual(operator.problems, []);
  });

  it('an approver pauses but cannot resume; an operator resumes', async () => {
    const approver = await signedIn('approver', TABLET);
    await openTab(approver.page, 'overview');
    assert.deepEqual(await actionButtons(approver.page), ['pause', 'misdelivery']);
    await approver.page.click('[data-action="pause"]');
    await approver.page.waitForSelector('[data-badge="paused"]');
    assert.deepEqual(await actionButtons(approver.page), ['misdelivery'], 'no resume');
    assert.equal(await paused(), true);
    await assertConsoleLooksRight(approver, 'overview paused (approver, ja, tablet)');
    await consoleScreenshot(approver.page, 'campaign-overview-paused-ja-tablet');

    const operator = await signedIn('operator');
    await openTab(operator.page, 'overview');
    assert.deepEqual(await actionButtons(operator.page), ['resume', 'cancel', 'misdelivery']);
    // This stack configures no Web UI address: the page says so instead of a dead link.
    await operator.page.waitForSelector('[data-link="web-ui-missing"]');
    assert.equal(await operator.page.locator('[data-link="web-ui"]').count(), 0);
    await operator.page.click('[data-action="resume"]');
    await operator.page.waitForSelector('[data-badge="paused"]', { state: 'detached' });
    assert.equal(await paused(), false);
  });

  it('a viewer reads every tab without a button that changes something', async () => {
    const viewer = await signedIn('viewer', TABLET);
    for (const lang of ['ja', 'en'] as const) {
      await openTab(viewer.page, 'overview');
      await useLanguage(viewer.page, lang);
      for (const tab of ['overview', 'deliveries', 'entries', 'draw']) {
        await openTab(viewer.page, tab);
        // Wait for the tab's own data, not just its frame.
        if (tab === 'overview') await viewer.page.waitForSelector('[data-funnel]');
        if (tab === 'deliveries') await viewer.page.waitForSelector('[data-table="deliveries"]');
        if (tab === 'entries') {
          await viewer.page.waitForSelector(`[data-table="entries"] [data-row-id="${fan.id}"]`);
        }
        assert.deepEqual(await actionButtons(viewer.page), [], `${tab}: nothing to press`);
        assert.equal(await viewer.page.locator('input[type="checkbox"]').count(), 0);
        await assertConsoleLooksRight(viewer, `${tab} (viewer, ${lang}, tablet)`);
        await consoleScreenshot(viewer.page, `campaign-${tab}-viewer-${lang}-tablet`);
      }
    }
    const tabs = await Promise.all(
      (await viewer.page.locator('[data-tab]').all()).map((tab) => tab.getAttribute('data-tab')),
    );
    assert.deepEqual(tabs, ['overview', 'deliveries', 'entries', 'draw'], 'no claims here');
  });
});
