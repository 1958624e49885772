/**
 * The console's new-campaign and approval pages in headless Chromium against the real API,
 * worker, PostgreSQL, the time-skipping Temporal server and the X emulator:
 * - new campaign: an operator starts from an example, sees the API's issues at their fields in
 *   Japanese and then English, the 景品表示法 check change as they type, the templates previewed,
 *   and creates the campaign, landing on its page;
 * - approvals: an approver finds the waiting campaign, reads its preflight findings, the
 *   rehearsal per test account and the diff, and approves it; its author (an admin) is offered
 *   no Approve button; a viewer has nothing to press.
 * Laptop and tablet width, both languages, with no CSP refusal or page error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildConsole } from '../../console/build';
import type { ApiRole } from '../../db/database';
import { findCampaignById } from '../../db/repositories/campaigns';
import {
  dmKeywordDrawConfig,
  participants,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
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
import { liveState, skipUntil } from '../support/participant-campaigns';
import { startParticipantStack, type ParticipantStack } from '../support/participant-stack';
import { launchChromium } from '../support/phone-browser';

describe('console: new campaign and approval pages', () => {
  let stack: ParticipantStack;
  let browser: Browser;
  let accountId: string;
  const people = participants(2, 'tools');
  const tester = people[1]!;
  const opened: ConsolePerson[] = [];

  const keyOf = (role: ApiRole) => stack.auth(role).authorization.replace(/^Bearer /, '');

  async function signedIn(role: ApiRole, viewport: { width: number; height: number } = LAPTOP) {
    const person = await openConsoleBrowser(browser, viewport);
    opened.push(person);
    await signInToConsole(person, stack.baseUrl, keyOf(role));
    return person;
  }

  async function open(person: ConsolePerson, path: string, page: string) {
    await person.page.goto(`${stack.baseUrl}${path}`);
    await person.page.waitForSelector(`[data-page="${page}"]`);
  }

  /** Created by `role` and started; resolves once preflight is done and it waits for approval. */
  async function waitingCampaign(id: string, role: ApiRole, name: string) {
    const now = new Date(await stack.env.currentTimeMs());
    const config = dmKeywordDrawConfig(accountId, now, {
      winners: 1,
      overrides: { name, testAccounts: [tester.id] },
    });
    const created = await stack.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: stack.auth(role),
      payload: { id, config },
    });
    assert.equal(created.statusCode, 201, created.body);
    stack.started.push(`campaign:${id}`);
    await skipUntil(
      stack,
      `${id} awaiting approval`,
      async () => (await liveState(stack, id)).phase === 'awaiting_approval',
      { step: '100 milliseconds', maxSteps: 3000 },
    );
  }

  before(async () => {
    await buildConsole();
    stack = await startParticipantStack({ taskQueue: `console-tools-${process.pid}` });
    await stack.emulator.loadScenario(worldScenario(people));
    accountId = await seedLinkedAccount(stack.testDb.db);
    const registered = await stack.app.inject({
      method: 'POST',
      url: `/v1/accounts/${accountId}/test-accounts`,
      headers: stack.auth('admin'),
      payload: { xUserId: tester.id, label: 'QA phone' },
    });
    assert.ok([200, 201].includes(registered.statusCode), registered.body);
    browser = await launchChromium();
  });
  after(async () => {
    for (const person of opened) await person.context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  it('new campaign: issues at their fields in both languages, 景品表示法 live, previews, create', async () => {
    const operator = await signedIn('operator');
    await open(operator, '/console/campaigns/new', 'campaign-new');
    const { page } = operator;
    await page.click('[data-preset="drawn-reply-hashtag"]');
    await page.fill('textarea[name="testAccounts"]', '');
    await page.waitForSelector('[data-check="valid"]');
    assert.equal(await page.inputValue('select[name="accountId"]'), accountId);

    // Kuji's own check, at its field, in Japanese; then the same issue in English.
    await page.fill('input[name="draw.winners"]', '5');
    const winners = '[data-field="draw.winners"] [data-issue-path="draw.winners"]';
    await page.waitForSelector(winners);
    assert.equal(
      await page.innerText(winners),
      '当選者数5人に対し、景品の在庫は合計3件しかありません',
    );
    assert.ok(await page.isDisabled('[data-action="create"]'), 'no create while issues remain');
    await assertConsoleLooksRight(operator, 'new campaign with an issue (ja)');
    await consoleScreenshot(page, 'campaign-new-issue-ja-laptop');
    await useLanguage(page, 'en');
    assert.equal(await page.innerText(winners), '5 winners but only 3 prizes in stock');
    await page.fill('input[name="draw.winners"]', '3');
    await page.waitForSelector(winners, { state: 'detached' });
    // zod's own issue (an emptied field), in English, then in Japanese.
    await page.fill('input[name="prizes.0.name"]', '');
    const prizeName = '[data-field="prizes.0.name"] [data-issue-path="prizes.0.name"]';
    await page.waitForSelector(prizeName);
    assert.match(await page.innerText(prizeName), /Required/);
    await useLanguage(page, 'ja');
    assert.match(await page.innerText(prizeName), /必須項目です/);
    await useLanguage(page, 'en');
    await page.fill('input[name="prizes.0.name"]', 'Gift card');

    // The 景品表示法 check follows the premium kind and the figures as they are typed.
    await page.selectOption('select[name="compliance.premiumKind"]', 'general');
    await page.waitForSelector(
      '[data-compliance="blocking"] [data-finding="transaction_value_required"]',
    );
    await page.waitForSelector('[data-issue-path="compliance.transactionValueYen"]');
    await page.fill('input[name="compliance.transactionValueYen"]', '40');
    await page.fill('input[name="compliance.expectedSalesYen"]', '10000000');
    await page.waitForSelector(
      '[data-compliance="blocking"] [data-finding="prize_value_over_cap"]',
    );
    assert.match(await page.innerText('[data-finding="prize_value_over_cap"]'), /¥800/);
    await page.fill('input[name="compliance.transactionValueYen"]', '3000');
    await page.waitForSelector('[data-compliance="ok"]');
    await page.selectOption('select[name="compliance.premiumKind"]', 'open');
    await page.fill('input[name="compliance.transactionValueYen"]', '');
    await page.fill('input[name="compliance.expectedSalesYen"]', '');

    // The templates rendered as a winner would read them, with the verification code line.
    const winDm = await page.innerText('[data-preview="win.dm"] .preview-text');
    assert.match(winDm, /^@kuji_sampleさん/);
    assert.match(winDm, /Gift card/);
    assert.match(winDm, /確認コード \/ Verification code: \S+$/);

    await page.fill('input[name="id"]', 'tools-created');
    await page.waitForSelector('[data-check="valid"]');
    await page.setViewportSize(TABLET);
    await assertConsoleLooksRight(operator, 'new campaign, valid (en, tablet)');
    await consoleScreenshot(page, 'campaign-new-valid-en-tablet');
    await page.click('[data-action="create"]');
    await page.waitForURL(`${stack.baseUrl}/console/campaigns/tools-created`);
    stack.started.push('campaign:tools-created');
    const created = await findCampaignById(stack.testDb.db, 'tools-created');
    assert.equal(created?.author, 'operator');
    assert.equal(
      (created?.config as { name?: string }).name,
      '#クジ当たれ でリプライ抽選 / Drawn: reply with #クジ当たれ',
    );
  });

  it('approvals: an approver reviews findings, rehearsal and diff, and approves', async () => {
    await waitingCampaign('tools-approve', 'operator', '冬の承認テスト');
    const approver = await signedIn('approver', TABLET);
    await useLanguage(approver.page, 'en');
    await open(approver, '/console/approvals', 'approvals');
    const row = '[data-table="approvals"] [data-row-id="tools-approve"]';
    await approver.page.waitForSelector(row);
    assert.match(await approver.page.innerText(row), /冬の承認テスト/);
    await assertConsoleLooksRight(approver, 'approvals (en, tablet)');
    await consoleScreenshot(approver.page, 'approvals-en-tablet');

    await approver.page.click(`${row} a[data-link="review"]`);
    await approver.page.waitForSelector('[data-page="approval"][data-campaign-id="tools-approve"]');
    const { page } = approver;
    await page.waitForSelector('[data-section="findings"]');
    const rehearsal = `[data-table="rehearsal"] [data-row-id="${tester.id}:win.dm"]`;
    await page.waitForSelector(rehearsal);
    assert.equal(await page.getAttribute(rehearsal, 'data-arrived'), 'true');
    assert.match(await page.innerText('[data-section="rehearsal"]'), /QA phone/);
    const name = '[data-table="diff"] [data-row-id="name"]';
    assert.match(await page.innerText(name), /Added[\s\S]*冬の承認テスト/);
    await assertConsoleLooksRight(approver, 'approval (en, tablet)');
    await consoleScreenshot(page, 'approval-en-tablet');

    // openConsoleBrowser accepts the confirm.
    await page.fill('[data-section="approve"] textarea', 'Checked the templates');
    await page.click('[data-action="approve"]');
    await page.waitForSelector('[data-action="approve"]', { state: 'detached' });
    // The live state carries the whole status query; LiveState names only what most tests read.
    const state = (await liveState(stack, 'tools-approve')) as { approvedBy?: string | null };
    assert.equal(state.approvedBy, 'approver');
  });

  it('approvals: the author is offered no Approve button, a viewer nothing to press', async () => {
    await waitingCampaign('tools-by-admin', 'admin', '管理者が作ったキャンペーン');
    const admin = await signedIn('admin');
    await open(admin, '/console/approvals/tools-by-admin', 'approval');
    await admin.page.waitForSelector('[data-section="approve"] [data-reason="author"]');
    assert.equal(await admin.page.locator('[data-action="approve"]').count(), 0);
    assert.match(
      await admin.page.innerText('[data-reason="author"]'),
      /作成者なので承認できません/,
    );
    await assertConsoleLooksRight(admin, 'approval as its author (ja)');
    await consoleScreenshot(admin.page, 'approval-author-ja-laptop');

    const viewer = await signedIn('viewer');
    await open(viewer, '/console/approvals/tools-by-admin', 'approval');
    await viewer.page.waitForSelector('[data-section="diff"]');
    assert.deepEqual(await actionButtons(viewer.page), []);
    await open(viewer, '/console/approvals', 'approvals');
    await viewer.page.waitForSelector('[data-row-id="tools-by-admin"]');
    assert.deepEqual(await actionButtons(viewer.page), []);
    await open(viewer, '/console/campaigns/new', 'campaign-new');
    assert.deepEqual(await actionButtons(viewer.page), []);
  });
});
