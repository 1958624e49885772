/**
 * Headless Chromium as an operator's laptop (1280×800) or tablet (820×1180) on the console: one
 * browser context per person (their own session cookie), sign-in through the console's form,
 * the language switch, screenshots kept in test-results/console/ (ignored by git), and the
 * checks that a page "looks right": nothing wider than the screen, Japanese drawn with a CJK
 * font, and no script or style refused by the console's CSP.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifacts, renderedFonts } from './phone-browser';

export const LAPTOP = { width: 1280, height: 800 } as const;
export const TABLET = { width: 820, height: 1180 } as const;
export const consoleArtifacts = path.join(artifacts, 'console');

export interface ConsolePerson {
  context: BrowserContext;
  page: Page;
  /** Problems the page reported: CSP violations, uncaught errors, console errors. */
  problems: string[];
}

/** A person at their own browser, Japanese first, watching for CSP refusals and page errors. */
export async function openConsoleBrowser(
  browser: Browser,
  viewport: { width: number; height: number } = LAPTOP,
): Promise<ConsolePerson> {
  const context = await browser.newContext({ viewport, locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  // The console asks before anything irreversible; the person says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A 401/403/409 the console shows to the person is the API answering, not a page problem.
    if (message.type() === 'error' && !/status of (401|403|404|409|422)/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

/** Signs in through the console's form with an API key and waits for the campaigns page. */
export async function signInToConsole(person: ConsolePerson, baseUrl: string, apiKey: string) {
  const { page } = person;
  await page.goto(`${baseUrl}/console`);
  await page.waitForSelector('[data-page="sign-in"]');
  await page.fill('input[name="apiKey"]', apiKey);
  await page.click('[data-action="sign-in"]');
  await page.waitForSelector('[data-page="campaigns"]');
}

/** The console's language, switched in the header when it is not the one wanted. */
export async function useLanguage(page: Page, lang: 'ja' | 'en'): Promise<void> {
  const current = await page.evaluate<string>('document.documentElement.lang');
  if (current !== lang) await page.click('[data-action="language"]');
  await page.waitForFunction(`document.documentElement.lang === '${lang}'`);
}

export async function consoleScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(consoleArtifacts, { recursive: true });
  const file = path.join(consoleArtifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The page fits its screen (nothing scrolls sideways but tables inside their own scroller), its
 * heading's Japanese is drawn with a CJK font, and nothing was refused or thrown.
 */
export async function assertConsoleLooksRight(person: ConsolePerson, what: string): Promise<void> {
  const { page } = person;
  const viewport = page.viewportSize();
  const width = await page.evaluate<number>(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)',
  );
  if (viewport) {
    assert.ok(
      width <= viewport.width,
      `${what}: the page is ${width}px wide on ${viewport.width}px`,
    );
  }
  const lang = await page.evaluate<string>('document.documentElement.lang');
  if (lang === 'ja') {
    const fonts = await renderedFonts(page, 'h1');
    assert.ok(
      fonts.some((family) => /CJK|Noto Sans JP|IPA|Takao|VL Gothic/i.test(family)),
      `${what}: the heading is drawn with ${fonts.join(', ') || 'no font'} (install fonts-noto-cjk)`,
    );
  }
  assert.deepEqual(person.problems, [], `${what}: the page reported problems`);
}

/** The buttons on the page that change something (the language switch and sign-out aside). */
export async function actionButtons(page: Page): Promise<string[]> {
  const actions = await attributeOfAll(page, '[data-action]', 'data-action');
  return actions.filter((action) => !['language', 'sign-out', 'sign-in'].includes(action));
}

/** `attribute` of every element matching `selector`, in document order. */
export async function attributeOfAll(
  page: Page,
  selector: string,
  attribute: string,
): Promise<string[]> {
  const elements = await page.locator(selector).all();
  return Promise.all(
    elements.map(async (element) => (await element.getAttribute(attribute)) ?? ''),
  );
}
