/**
 * The console's stops, sender accounts and report pages in headless Chromium against the real
 * API, worker, PostgreSQL, the time-skipping Temporal server and the X emulator, signed in
 * through the console's form with each role's key:
 * - stops: a complaint left open on an ended campaign shows its reason and remedy in the
 *   reader's language; a viewer gets no buttons, an operator closes it with `dismiss`;
 * - accounts: the day's DM use against the cap; connect and disconnect for admins only; a halted
 *   account shows why, and an operator resumes it;
 * - report: a campaign not yet run says the report comes at the end; a completed one draws its
 *   two charts, lists its cost, and its CSV downloads with the session cookie.
 * Every page at laptop and tablet width, both languages, with no CSP refusal or page error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildConsole } from '../../console/build';
import type { ApiRole } from '../../db/database';
import { findAccountById, haltAccount } from '../../db/repositories/accounts';
import { findIntervention, openIntervention } from '../../db/repositories/interventions';
import { xErrorCatalog } from '../../domain/x-error-catalog';
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
import { createDmKeywordCampaign, liveState, skipUntil } from '../support/participant-campaigns';
import { startParticipantStack, type ParticipantStack } from '../support/participant-stack';
import { launchChromium } from '../support/phone-browser';

describe('console: stops, sender accounts and report pages', () => {
  let stack: ParticipantStack;
  let browser: Browser;
  let accountId: string;
  const people = participants(2, 'ops');
  const doneId = 'ops-report-done';
  const draftId = 'ops-report-draft';
  const opened: ConsolePerson[] = [];

  const keyOf = (role: ApiRole) => stack.auth(role).authorization.replace(/^Bearer /, '');

  async function signedIn(role: ApiRole, viewport: { width: number; height: number } = LAPTOP) {
    const person = await openConsoleBrowser(browser, viewport);
    opened.push(person);
    await signInToConsole(person, stack.baseUrl, keyOf(role));
    return person;
  }

  async function cardActions(person: ConsolePerson, card: string) {
    const buttons = await person.page.locator(`${card} [data-action]`).all();
    return Promise.all(buttons.map((button) => button.getAttribute('data-action')));
  }

  async function open(person: ConsolePerson, path: string, page: string) {
    await person.page.goto(`${stack.baseUrl}${path}`);
    await person.page.waitForSelector(`[data-page="${page}"]`);
  }

  before(async () => {
    await buildConsole();
    stack = await startParticipantStack({ taskQueue: `console-ops-${process.pid}` });
    await stack.emulator.loadScenario(worldScenario(people));
    accountId = await seedLinkedAccount(stack.testDb.db);
    browser = await launchChromium();
    const now = new Date(await stack.env.currentTimeMs());
    await createDmKeywordCampaign(
      stack,
      doneId,
      { ...dmKeywordDrawConfig(accountId, now, { winners: 1 }), name: '冬のDMキャンペーン' },
      people[0]!,
    );
    await skipUntil(
      stack,
      `${doneId} completed`,
      async () => (await liveState(stack, doneId)).phase === 'completed',
    );
    const draft = await stack.app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: stack.auth('operator'),
      payload: {
        id: draftId,
        config: { ...dmKeywordDrawConfig(accountId, now, { winners: 1 }), name: '春の下書き' },
        start: false,
      },
    });
    assert.equal(draft.statusCode, 201, draft.body);
  });
  after(async () => {
    for (const person of opened) await person.context.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
  });

  it('stops: a viewer reads a complaint without buttons; an operator closes it with dismiss', async () => {
    const { intervention } = await openIntervention(stack.testDb.db, {
      campaignId: doneId,
      accountId,
      kind: 'not_received',
      dedupeKey: `user:${people[0]!.id}`,
      details: { xUserId: people[0]!.id, phrase: '届いていない', afterCompletion: true },
      openedBy: 'webhook',
    });

    const viewer = await signedIn('viewer');
    await open(viewer, '/console/stops', 'stops');
    const card = `[data-page="stops"] [data-row-id="${intervention.id}"]`;
    await viewer.page.waitForSelector(card);
    const japanese = await viewer.page.locator(card).innerText();
    assert.match(japanese, /冬のDMキャンペーン/, 'the campaign by name');
    assert.match(japanese, /キャンペーンは終了しています/, 'the remedy in Japanese');
    assert.deepEqual(await actionButtons(viewer.page), [], 'a viewer has nothing to press');
    await assertConsoleLooksRight(viewer, 'stops (viewer, ja)');
    await consoleScreenshot(viewer.page, 'stops-viewer-ja-laptop');

    const operator = await signedIn('operator', TABLET);
    await useLanguage(operator.page, 'en');
    await open(operator, '/console/stops', 'stops');
    await operator.page.waitForSelector(card);
    assert.match(await operator.page.locator(card).innerText(), /The campaign has ended/);
    const dismiss = `${card} [data-resolution="dismiss"] [data-action="resolve"]`;
    assert.equal(await operator.page.locator(`${card} [data-action="resolve"]`).count(), 1);
    await assertConsoleLooksRight(operator, 'stops (operator, en, tablet)');
    await consoleScreenshot(operator.page, 'stops-operator-en-tablet');
    await operator.page.click(dismiss);
    await operator.page.waitForSelector(card, { state: 'detached' });
    const stored = await findIntervention(stack.testDb.db, intervention.id);
    assert.equal(stored?.status, 'resolved');
    assert.equal(stored?.resolution, 'dismiss');
    assert.equal(stored?.resolvedBy, 'operator');

    await operator.page.check('[data-filter="resolved"]');
    await operator.page.waitForSelector(
      `[data-table="resolved-stops"] [data-row-id="${intervention.id}"]`,
    );
  });

  it('stops: a send error reads its reason and remedy from the stop itself, with no delivery carrying the code', async () => {
    const { intervention } = await openIntervention(stack.testDb.db, {
      campaignId: doneId,
      accountId,
      kind: 'send_error',
      dedupeKey: 'dm_not_permitted:no-such-delivery',
      details: {
        code: 'dm_not_permitted',
        category: 'recipient_unreachable',
        deliveryId: 'no-such-delivery',
        accountId,
        accountHalted: false,
      },
      openedBy: 'kuji',
    });
    const words = xErrorCatalog.dm_not_permitted;
    const viewer = await signedIn('viewer');
    await open(viewer, '/console/stops', 'stops');
    const card = `[data-page="stops"] [data-row-id="${intervention.id}"]`;
    await viewer.page.waitForSelector(card);
    const japanese = await viewer.page.locator(card).innerText();
    assert.ok(japanese.includes(words.reason.ja), 'the reason in Japanese');
    assert.ok(japanese.includes(words.remedy.ja), 'the remedy in Japanese');
    await useLanguage(viewer.page, 'en');
    await open(viewer, '/console/stops', 'stops');
    await viewer.page.waitForSelector(card);
    const english = await viewer.page.locator(card).innerText();
    assert.ok(english.includes(words.reason.en), 'the reason in English');
    assert.ok(english.includes(words.remedy.en), 'the remedy in English');
  });

  it('accounts: use against the cap, link actions for admins only, an operator resumes a halted account', async () => {
    const admin = await signedIn('admin');
    await open(admin, '/console/accounts', 'accounts');
    const card = `[data-page="accounts"] [data-row-id="${accountId}"]`;
    await admin.page.waitForSelector(`${card} [data-quota-cap]`);
    assert.equal(
      await admin.page.getAttribute(`${card} [data-quota-cap]`, 'data-quota-cap'),
      '100',
    );
    const adminActions = await cardActions(admin, card);
    assert.deepEqual(adminActions, ['connect', 'disconnect'], 'not halted: nothing to resume');
    await assertConsoleLooksRight(admin, 'accounts (admin, ja)');

    await haltAccount(stack.testDb.db, accountId, {
      code: 'sender_automation_flagged',
      category: 'sender_restricted',
      campaignId: doneId,
    });
    const operator = await signedIn('operator', TABLET);
    await useLanguage(operator.page, 'en');
    await open(operator, '/console/accounts', 'accounts');
    await operator.page.waitForSelector(`${card} [data-halt-code="sender_automation_flagged"]`);
    const halt = await operator.page.locator(`${card} [data-halt-code]`).innerText();
    const haltWords = xErrorCatalog.sender_automation_flagged;
    assert.ok(halt.includes(haltWords.reason.en), 'why the account is halted, in words');
    assert.ok(halt.includes(haltWords.remedy.en), 'what to do about it');
    const operatorActions = await cardActions(operator, card);
    assert.deepEqual(operatorActions, ['resume-account'], 'operators neither link nor unlink');
    await assertConsoleLooksRight(operator, 'accounts (operator, en, tablet)');
    await consoleScreenshot(operator.page, 'accounts-halted-operator-en-tablet');
    await operator.page.click(`${card} [data-action="resume-account"]`);
    await operator.page.waitForSelector(`${card} [data-halt-code]`, { state: 'detached' });
    assert.equal((await findAccountById(stack.testDb.db, accountId))?.halt, null);
  });

  it('report: before the run it says the report comes at the end; after it, charts, cost and the CSV', async () => {
    const viewer = await signedIn('viewer', TABLET);
    await open(viewer, `/console/campaigns/${draftId}/report`, 'report');
    await viewer.page.waitForSelector('[data-notice="report-not-ready"]');
    assert.equal(await viewer.page.locator('[data-action="download-csv"]').count(), 0);
    await assertConsoleLooksRight(viewer, 'report not ready (ja, tablet)');

    await open(viewer, `/console/campaigns/${doneId}/report`, 'report');
    await viewer.page.waitForSelector('[data-page="report"][data-report-ready="true"]');
    for (const chart of ['per-day', 'funnel']) {
      await viewer.page.waitForSelector(`[data-chart="${chart}"] canvas`);
      const box = await viewer.page.locator(`[data-chart="${chart}"] canvas`).boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `${chart} chart is drawn`);
    }
    const funnel = await viewer.page.locator('[data-table="funnel"]').innerText();
    assert.match(funnel, /当選\s+1/, 'one winner in the funnel');
    await viewer.page.waitForSelector('[data-cost-total]');
    await assertConsoleLooksRight(viewer, 'report (ja, tablet)');
    await consoleScreenshot(viewer.page, 'report-ja-tablet');

    await useLanguage(viewer.page, 'en');
    await viewer.page.setViewportSize(LAPTOP);
    assert.match(await viewer.page.locator('[data-page="report"]').innerText(), /Sent per day/);
    await consoleScreenshot(viewer.page, 'report-en-laptop');
    const [download] = await Promise.all([
      viewer.page.waitForEvent('download'),
      viewer.page.click('[data-action="download-csv"]'),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv, new RegExp(`^\\uFEFFsection,key,value,detail\\r\\ncampaign,id,${doneId}`));
    assert.deepEqual(viewer.problems, []);
  });
});
