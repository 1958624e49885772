import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import { buildApp } from '../../api/app';
import type { EntryReasonJson } from '../../db/database';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { insertPrizes } from '../../db/repositories/prizes';
import { resultLinkToken, resultUrl } from '../../domain/result-links';
import { findChromium } from '../../scripts/lib/provision';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

/** The text a reader sees: no style sheet, no tags, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<title>[\s\S]*?<\/title>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

const privateHeaders = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'content-type': 'text/html; charset=utf-8',
};

function assertPrivateHeaders(headers: Record<string, unknown>) {
  for (const [name, value] of Object.entries(privateHeaders)) {
    assert.equal(headers[name], value, name);
  }
}

const followMissing: EntryReasonJson = {
  code: 'follow_missing',
  ja: 'キャンペーンアカウントをフォローしていません。',
  en: 'Does not follow the campaign account.',
};
const replyMissing: EntryReasonJson = {
  code: 'reply_missing',
  ja: 'キャンペーン投稿へのリプライがありません。',
  en: 'Has not replied to the campaign post.',
};

describe('GET /r/:campaignId/:xUserId/:token', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;
  const seed = 'test-seed-8c1f0e2d9a';
  const campaignName = '冬の<script>alert(1)</script>抽選 "2026"';
  const giftName = 'QUOカード <500円分> & 送料無料';
  let campaignId: string;
  let seedlessCampaignId: string;
  const participants = {
    wonWithCode: '1001',
    wonWithoutCode: '1002',
    lost: '1003',
    alternate: '1004',
    pending: '1005',
    ineligible: '1006',
    unknown: '1999',
  };

  const path = (xUserId: string, token = resultLinkToken(seed, xUserId), campaign = campaignId) =>
    `/r/${encodeURIComponent(campaign)}/${encodeURIComponent(xUserId)}/${token}`;

  before(async () => {
    testDb = await createTestDatabase();
    // The page reads PostgreSQL only; a lazy client that never connects stands in for Temporal.
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    const accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'kuji_demo' });
    campaignId = uniqueId('cmp');
    seedlessCampaignId = uniqueId('cmp');
    for (const id of [campaignId, seedlessCampaignId]) {
      await insertCampaign(testDb.db, {
        id,
        name: campaignName,
        accountId,
        config: {},
        author: 'alice',
      });
    }
    await testDb.db
      .updateTable('campaigns')
      .set({ secret_seed: seed })
      .where('id', '=', campaignId)
      .execute();
    await insertPrizes(testDb.db, campaignId, [
      { id: 'gift', name: giftName, valueYen: 500, stock: 5 },
      { id: 'sticker', name: 'オリジナルステッカー', valueYen: 100, stock: 5 },
    ]);
    for (const [key, xUserId] of Object.entries(participants)) {
      if (key === 'unknown') continue;
      const ineligible = key === 'ineligible';
      await upsertEntry(testDb.db, {
        campaignId,
        xUserId,
        username: `user_${xUserId}`,
        consentBasis: 'summoned',
        facts: {},
        eligible: !ineligible,
        reasons: ineligible ? [followMissing, replyMissing] : [],
      });
    }
    await setEntryOutcomes(testDb.db, campaignId, [
      {
        xUserId: participants.wonWithCode,
        outcome: 'won',
        prizeId: 'gift',
        prizeCode: 'KUJI-7Q2X-<9>',
      },
      { xUserId: participants.wonWithoutCode, outcome: 'won', prizeId: 'sticker' },
      { xUserId: participants.lost, outcome: 'lost' },
      { xUserId: participants.alternate, outcome: 'alternate' },
    ]);
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  it('shows a winner the prize name and the code, escaped, with the private-page headers', async () => {
    const response = await app.inject({ url: path(participants.wonWithCode) });
    assert.equal(response.statusCode, 200, response.body);
    assertPrivateHeaders(response.headers);
    assert.match(response.body, /^<!doctype html>\s*<html lang="ja">/);
    assert.match(response.body, /<meta charset="utf-8" ?\/?>/);
    assert.match(response.body, /<meta name="viewport" content="width=device-width/);
    const text = visibleText(response.body);
    assert.ok(text.includes('当選おめでとうございます！'), text);
    assert.ok(text.includes('Congratulations, you won!'), text);
    assert.ok(text.includes(giftName), text);
    assert.ok(text.includes('KUJI-7Q2X-<9>'), text);
    assert.ok(text.includes(campaignName), text);
    assert.ok(
      text.indexOf('当選おめでとうございます') < text.indexOf('Congratulations'),
      'Japanese comes first',
    );
    // Every interpolated string is escaped: the campaign name cannot inject markup.
    assert.ok(!response.body.includes('<script>'), 'no raw script tag');
    assert.ok(response.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(response.body.includes('QUOカード &lt;500円分&gt; &amp; 送料無料'));
    assert.ok(response.body.includes('KUJI-7Q2X-&lt;9&gt;'));
  });

  it('shows a winner without a code the prize and where to look for it', async () => {
    const response = await app.inject({ url: path(participants.wonWithoutCode) });
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.ok(text.includes('オリジナルステッカー'), text);
    assert.ok(text.includes('キャンペーンのご案内をご確認ください'), text);
    assert.ok(text.includes('See the campaign announcement'), text);
    assert.ok(!text.includes('コード / Code'), text);
  });

  it('tells a participant who lost, in Japanese then English', async () => {
    const response = await app.inject({ url: path(participants.lost) });
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.ok(text.includes('落選'), text);
    assert.ok(text.includes('you did not win this time'), text);
    assert.ok(!text.includes(giftName));
  });

  it('tells an alternate they are 補欠', async () => {
    const response = await app.inject({ url: path(participants.alternate) });
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.ok(text.includes('補欠当選です'), text);
    assert.ok(text.includes('You are an alternate'), text);
  });

  it('tells a pending participant the draw has not happened yet', async () => {
    const response = await app.inject({ url: path(participants.pending) });
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.ok(text.includes('抽選前'), text);
    assert.ok(text.includes('The draw has not taken place yet'), text);
  });

  it('lists each reason of an ineligible entry in Japanese and in English', async () => {
    const response = await app.inject({ url: path(participants.ineligible) });
    assert.equal(response.statusCode, 200);
    const text = visibleText(response.body);
    assert.ok(text.includes('応募条件を満たしていません'), text);
    for (const reason of [followMissing, replyMissing]) {
      assert.ok(text.includes(reason.ja), reason.ja);
      assert.ok(text.includes(reason.en), reason.en);
    }
    assert.ok(text.indexOf(replyMissing.ja) < text.indexOf(followMissing.en), 'ja list first');
  });

  it('answers "no entry found" to a valid link of someone who never entered', async () => {
    const response = await app.inject({ url: path(participants.unknown) });
    assert.equal(response.statusCode, 200);
    assertPrivateHeaders(response.headers);
    const text = visibleText(response.body);
    assert.ok(text.includes('応募が見つかりません'), text);
    assert.ok(text.includes('No entry found'), text);
  });

  it('links built by resultUrl open the page', async () => {
    const url = new URL(resultUrl('http://kuji.test/', campaignId, participants.lost, seed));
    const response = await app.inject({ url: url.pathname });
    assert.equal(response.statusCode, 200);
    assert.ok(visibleText(response.body).includes('落選'));
  });

  it('answers one identical 404 page to forged, borrowed, seedless and unknown-campaign links', async () => {
    const own = resultLinkToken(seed, participants.wonWithCode);
    const forged = (own[0] === 'A' ? 'B' : 'A') + own.slice(1);
    const urls = [
      path(participants.wonWithCode, forged),
      path(participants.wonWithCode, 'short'),
      // Another participant's valid token does not open this participant's page.
      path(participants.wonWithCode, resultLinkToken(seed, participants.lost)),
      // The same user under another seed (another campaign's link).
      path(participants.wonWithCode, resultLinkToken('another-seed', participants.wonWithCode)),
      path(participants.wonWithCode, resultLinkToken(seed, participants.wonWithCode), 'no-such'),
      path(
        participants.wonWithCode,
        resultLinkToken(seed, participants.wonWithCode),
        seedlessCampaignId,
      ),
    ];
    const bodies = new Set<string>();
    for (const url of urls) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assertPrivateHeaders(response.headers);
      bodies.add(response.body);
    }
    assert.equal(bodies.size, 1, 'the 404 page never tells the cases apart');
    const [body = ''] = bodies;
    const text = visibleText(body);
    assert.ok(text.includes('ページが見つかりません'), text);
    assert.ok(text.includes('Page not found'), text);
    assert.ok(!text.includes(giftName) && !text.includes('KUJI-7Q2X'), 'nothing leaks');
    assert.ok(!body.includes('冬の'), 'not even the campaign name');
  });

  it('answers the same 404 page to a link cut short before its token', async () => {
    const full = await app.inject({ url: path(participants.wonWithCode, 'x') });
    const cut = await app.inject({ url: `/r/${campaignId}/${participants.wonWithCode}` });
    assert.equal(cut.statusCode, 404);
    assertPrivateHeaders(cut.headers);
    assert.equal(cut.body, full.body);
  });

  it('is documented under the participants tag without an API key, the short form hidden', async () => {
    const response = await app.inject({ url: '/docs/json' });
    assert.equal(response.statusCode, 200);
    const paths = response.json<{
      paths: Record<string, Record<string, { tags?: string[]; security?: unknown[] }>>;
    }>().paths;
    const operation = paths['/r/{campaignId}/{xUserId}/{token}']?.get;
    assert.deepEqual(operation?.tags, ['participants']);
    assert.deepEqual(operation?.security, []);
    assert.equal(paths['/r/{campaignId}/{xUserId}'], undefined);
  });

  describe('in headless Chromium', () => {
    it('renders the won page on a phone-sized screen with the prize name and code visible', async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const browser = await chromium.launch({
        executablePath: findChromium(),
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 375, height: 667 } });
        const response = await page.goto(
          resultUrl(`http://127.0.0.1:${port}`, campaignId, participants.wonWithCode, seed),
        );
        assert.equal(response?.status(), 200);
        const text = await page.locator('body').innerText();
        assert.ok(text.includes(giftName), text);
        assert.ok(text.includes('KUJI-7Q2X-<9>'), text);
        assert.equal(await page.title(), `当選 / You won — ${campaignName}`);
        // The inline style sheet applied under the CSP, and nothing overflows a phone's width.
        const layout = await page.evaluate<{ radius: string; scrollWidth: number }>(
          `({
            radius: getComputedStyle(document.querySelector('.card')).borderTopLeftRadius,
            scrollWidth: document.documentElement.scrollWidth,
          })`,
        );
        assert.equal(layout.radius, '16px');
        assert.ok(layout.scrollWidth <= 375, `page is ${layout.scrollWidth}px wide`);
        assert.equal(await page.locator('script').count(), 0, 'the name did not become a script');
      } finally {
        await browser.close();
      }
    });
  });
});
