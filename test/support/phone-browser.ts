/**
 * Headless Chromium as a participant's phone (390×844, the size of a common iPhone): one
 * browser context per person (their own cookies), full-page screenshots kept in test-results/,
 * and the checks that a page "looks right" on a phone: nothing wider than the screen, and the
 * Japanese text drawn with a CJK font rather than boxes.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../../scripts/lib/paths';
import { findChromium } from '../../scripts/lib/provision';

export const PHONE = { width: 390, height: 844 } as const;
export const artifacts = path.join(repoRoot, 'test-results');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh phone: its own cookies, Japanese first. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ja-JP',
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The page fits the phone: nothing scrolls sideways, and the families Chromium drew the first
 * heading with include a CJK font (the page's Japanese is not tofu).
 */
export async function assertLooksRightOnPhone(page: Page, what: string): Promise<void> {
  // A string: this project's TypeScript has no DOM types, and the expression runs in the page.
  const width = await page.evaluate<number>(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)',
  );
  assert.ok(
    width <= PHONE.width,
    `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`,
  );
  const fonts = await renderedFonts(page, 'h1');
  assert.ok(
    fonts.some((family) => /CJK|Noto Sans JP|Noto Serif JP|IPA|Takao|VL Gothic/i.test(family)),
    `${what}: the heading's Japanese is drawn with ${fonts.join(', ') || 'no font'} (no CJK font: install fonts-noto-cjk)`,
  );
}

/** The platform fonts Chromium used for the text of the first element matching `selector`. */
export async function renderedFonts(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) return [];
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts.map((font) => font.familyName);
  } finally {
    await cdp.detach();
  }
}

/**
 * "Sign in with X" from a campaign page: the link takes the browser to X's consent screen (the
 * emulator's), the person picks who they are and authorizes, and X sends them back to the page.
 * Returns the scopes the consent screen asked for.
 */
export async function signInWithX(
  page: Page,
  campaignPageUrl: string,
  xUserId: string,
): Promise<string[]> {
  await page.goto(campaignPageUrl);
  await page.locator('a[href$="/signin"]').first().click();
  await page.waitForURL((url) => url.pathname.endsWith('/oauth2/authorize'));
  assert.match(await page.locator('h1').innerText(), /Authorize app/);
  const scopes = await page.locator('li code').allInnerTexts();
  await page.selectOption('#user_id', xUserId);
  const back = new URL(campaignPageUrl).pathname;
  await Promise.all([page.waitForURL((url) => url.pathname === back), page.click('#allow')]);
  return scopes;
}
