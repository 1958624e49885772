/**
 * Issue #12 end to end, on a phone-sized headless Chromium against the real API, worker,
 * PostgreSQL, the time-skipping Temporal server and the X emulator:
 * - a follow + repost campaign with claims (2 winners, 2 alternates) runs through the API on
 *   self-serve access: preflight no longer refuses it, its winners learn their result on the page;
 * - winner #1 signs in with X on the emulator's consent screen (smallest scopes), sees "won",
 *   fills the claim form and sees the prize code and the verification code;
 * - with the time-skipping server past the claim deadline, winner #2's unclaimed prize goes to
 *   alternate #1 (draw order), who is told (their win delivery) and sees "won" when signing in;
 *   they claim it (winner #2's prize code is theirs), the workflow finishes at once and the
 *   report counts 2 claimed, 1 forfeited, 1 promoted;
 * - /verify says genuine for a win DM Kuji really sent (a DM-keyword campaign of the same brand)
 *   and not genuine for the same DM altered;
 * - scripts/verify-draw.mjs reproduces the published winners from draw.json + entries.txt, and
 *   refuses a tampered draw.json;
 * - screenshots at 390×844 go to test-results/ (ignored by git).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { findDraw, type StoredDraw } from '../../db/repositories/draws';
import { verificationCode } from '../../domain/verification';
import { DEMO_CAMPAIGN_POST_ID, DEMO_SENDER_USERNAME } from '../../emulator';
import { repoRoot } from '../../scripts/lib/paths';
import {
  dmKeywordDrawConfig,
  participants,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import {
  createAndApprove,
  createDmKeywordCampaign,
  followRepostClaimsConfig,
  liveState,
  skipUntil,
} from '../support/participant-campaigns';
import { startParticipantStack, type ParticipantStack } from '../support/participant-stack';
import {
  artifacts,
  assertLooksRightOnPhone,
  launchChromium,
  phoneContext,
  screenshot,
  signInWithX,
} from '../support/phone-browser';

const run = promisify(execFile);

describe('participants on their phones: sign in, claim, alternates, /verify, re-derivation', () => {
  let stack: ParticipantStack;
  let browser: Browser;
  let accountId: string;
  const people = participants(5, 'winter');
  /** Follows but never reposted: not eligible. */
  const notReposted = people[4]!;
  const campaignId = 'winter-follow-repost';
  const dmCampaignId = 'winter-dm-keyword';
  let draw: StoredDraw;

  before(async () => {
    stack = await startParticipantStack();
    const scenario = worldScenario(people);
    scenario.follows = people.map((p): [string, string] => [p.username, DEMO_SENDER_USERNAME]);
    scenario.reposts = people
      .filter((p) => p !== notReposted)
      .map((p) => ({ user: p.username, post: DEMO_CAMPAIGN_POST_ID }));
    await stack.emulator.loadScenario(scenario);
    accountId = await seedLinkedAccount(stack.testDb.db);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const pageUrl = (id = campaignId) => `${stack.baseUrl}/c/${id}`;

  const live = (id: string) => liveState(stack, id);

  function claimsOf(id: string) {
    return stack.testDb.db.selectFrom('claims').selectAll().where('campaign_id', '=', id).execute();
  }

  /** The verification code of a participant's result (the campaign's secret seed, not the draw's). */
  async function codeOf(xUserId: string): Promise<string> {
    const { secret_seed: seed } = await stack.testDb.db
      .selectFrom('campaigns')
      .select('secret_seed')
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow();
    assert.ok(seed, 'the campaign has a secret seed, so its pages can carry verification codes');
    return verificationCode(seed, xUserId);
  }

  async function bodyText(page: Page) {
    return page.locator('body').innerText();
  }

  it('a follow + repost campaign with claims runs through the API on self-serve access to its claim period', async () => {
    const now = new Date(await stack.env.currentTimeMs());
    await createAndApprove(stack, campaignId, followRepostClaimsConfig(accountId, now));

    // A DM-keyword campaign of the same brand: its winner gets a real DM (for /verify).
    const dmConfig = dmKeywordDrawConfig(accountId, now, { winners: 1 });
    await createDmKeywordCampaign(
      stack,
      dmCampaignId,
      { ...dmConfig, name: '冬のDMキャンペーン' },
      people[0]!,
    );

    await skipUntil(
      stack,
      'the claim period with two open claims, and the DM campaign done',
      async () => {
        const [claiming, dm] = [await live(campaignId), await live(dmCampaignId)];
        return (
          claiming.phase === 'claiming' && claiming.claims?.open === 2 && dm.phase === 'completed'
        );
      },
    );

    draw = (await findDraw(stack.testDb.db, campaignId))!;
    assert.ok(draw, 'drawn');
    assert.equal(draw.entryCount, 4, 'the four who followed and reposted');
    assert.equal(draw.winners.length, 2);
    assert.equal(draw.alternates.length, 2);
    assert.ok(!draw.winners.includes(notReposted.id) && !draw.alternates.includes(notReposted.id));
    const claims = await claimsOf(campaignId);
    assert.deepEqual(claims.map((c) => c.x_user_id).sort(), [...draw.winners].sort());
    assert.ok(claims.every((c) => c.state === 'open'));
    // Self-serve access may neither DM nor reply to a reposter: the page tells them.
    const deliveries = await stack.testDb.db
      .selectFrom('deliveries')
      .select(['x_user_id', 'kind', 'channel'])
      .where('campaign_id', '=', campaignId)
      .execute();
    assert.deepEqual(
      deliveries.map((d) => [d.x_user_id, d.kind, d.channel]).sort(),
      draw.winners.map((w) => [w, 'win', 'result_page']).sort(),
    );
  });

  it('the page signed out shows the campaign and its published draw; winner #1 signs in with X, sees "won", claims, and sees the codes', async () => {
    const [winner1] = draw.winners;
    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await page.goto(pageUrl());
      const signedOut = await bodyText(page);
      assert.match(signedOut, /冬のフォロー＆リポストキャンペーン/);
      assert.ok(signedOut.includes(draw.digest), 'the draw digest is published');
      assert.ok(signedOut.includes(draw.seed), 'the draw seed is published');
      assert.match(signedOut, /verify-draw\.mjs/, 'the re-derive command is given');
      assert.equal(await page.locator('meta[name="robots"][content*="noindex"]').count(), 1);
      await assertLooksRightOnPhone(page, 'campaign page signed out');
      await screenshot(page, 'participants-1-signed-out.png');

      const scopes = await signInWithX(page, pageUrl(), winner1!);
      assert.deepEqual([...scopes].sort(), ['tweet.read', 'users.read']);
      // X's token was revoked at once; the browser holds only Kuji's signed session cookie.
      const tokens = [...stack.emulator.state.tokens.values()].filter(
        (t) => t.kind !== 'app' && t.userId === winner1,
      );
      assert.ok(tokens.length > 0 && tokens.every((t) => t.revoked), 'the token was revoked');
      const cookies = await context.cookies();
      assert.deepEqual(
        cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path]),
        [['kuji_participant', true, 'Lax', '/']],
      );
      const won = await bodyText(page);
      assert.match(won, /当選/);
      assert.match(won, /won/i);
      assert.match(won, /冬のギフトセット/);
      const form = page.locator('form[action$="/claim"]');
      assert.equal(await form.count(), 1, 'the claim form');
      assert.ok(!won.includes('GIFT-000'), 'the prize code shows only after the claim');
      await assertLooksRightOnPhone(page, 'won with the claim form');
      await screenshot(page, 'participants-2-won-claim-form.png');

      // An answer the form refuses keeps what was typed and says why.
      await form.locator('[name="name"]').fill('山田 花子');
      await form.locator('[name="email"]').fill('not-an-email');
      await form.locator('[name="postalAddress"]').fill('東京都千代田区千代田1-1');
      await Promise.all([page.waitForLoadState('load'), form.locator('[type="submit"]').click()]);
      assert.match(await bodyText(page), /メールアドレス/);
      assert.equal(await page.locator('[name="name"]').inputValue(), '山田 花子');
      assert.equal(
        (await claimsOf(campaignId)).find((c) => c.x_user_id === winner1)?.state,
        'open',
      );

      await page.locator('[name="email"]').fill('hanako@example.com');
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/c/${campaignId}`),
        page.locator('form[action$="/claim"] [type="submit"]').click(),
      ]);
      const claimed = await bodyText(page);
      const entry = await stack.testDb.db
        .selectFrom('entries')
        .select(['prize_code'])
        .where('campaign_id', '=', campaignId)
        .where('x_user_id', '=', winner1!)
        .executeTakeFirstOrThrow();
      assert.ok(entry.prize_code, 'winner #1 holds a prize code');
      assert.ok(claimed.includes(entry.prize_code), 'the prize code shows after the claim');
      assert.ok(claimed.includes(await codeOf(winner1!)), 'the verification code');
      assert.equal(await page.locator('form[action$="/claim"]').count(), 0);
      await assertLooksRightOnPhone(page, 'claimed');
      await screenshot(page, 'participants-3-claimed.png');
    } finally {
      await context.close();
    }

    const row = (await claimsOf(campaignId)).find((c) => c.x_user_id === winner1);
    assert.equal(row?.state, 'claimed');
    assert.ok(row?.data_sealed && !row.data_sealed.includes('hanako'), 'encrypted at rest');
    // Operators read the answers for fulfilment.
    const exported = await stack.app.inject({
      url: `/v1/campaigns/${campaignId}/claims`,
      headers: stack.auth('operator'),
    });
    assert.equal(exported.statusCode, 200, exported.body);
    assert.match(exported.body, /hanako@example\.com/);
    assert.match(exported.body, /東京都千代田区千代田1-1/);
  });

  it('past the claim deadline, winner #2\'s prize goes to alternate #1, who is told and sees "won"', async () => {
    const [, winner2] = draw.winners;
    const [alternate1, alternate2] = draw.alternates;
    const open = (await claimsOf(campaignId)).find((c) => c.x_user_id === winner2);
    assert.equal(open?.state, 'open');
    // Skip the server's clock past winner #2's deadline; the workflow's durable timer fires.
    const wait = open.deadline_at.getTime() - (await stack.env.currentTimeMs()) + 10 * 60_000;
    assert.ok(wait > 60 * 60 * 60_000, `the deadline is 72 hours out (${wait} ms)`);
    await stack.env.sleep(wait);
    await skipUntil(
      stack,
      'a promotion',
      async () => ((await live(campaignId)).claims?.promoted ?? 0) >= 1,
    );
    const status = (await live(campaignId)).claims;
    assert.deepEqual(
      status && [status.open, status.claimed, status.forfeited, status.promoted],
      [1, 1, 1, 1],
      `the workflow's claims (open, claimed, forfeited, promoted): ${JSON.stringify(status)}`,
    );

    const claims = await claimsOf(campaignId);
    const by = (id: string | undefined) => claims.find((c) => c.x_user_id === id);
    assert.equal(by(winner2)?.state, 'forfeited');
    assert.equal(by(alternate1)?.state, 'open');
    assert.equal(by(alternate1)?.replaces_x_user_id, winner2);
    assert.ok(by(alternate1)?.promoted_at);
    assert.equal(by(alternate1)?.prize_id, 'gift-set');
    assert.equal(by(alternate2), undefined, 'the second alternate stays an alternate');
    assert.equal(by(draw.winners[0])?.state, 'claimed', 'a claimed prize stays claimed');
    // Told: their win delivery, on the only channel their consent allows.
    const told = await stack.testDb.db
      .selectFrom('deliveries')
      .select(['kind', 'channel'])
      .where('campaign_id', '=', campaignId)
      .where('x_user_id', '=', alternate1!)
      .execute();
    assert.deepEqual(
      told.map((d) => [d.kind, d.channel]),
      [['win', 'result_page']],
    );
    const published = await fetch(`${pageUrl()}/draw.json`);
    assert.equal(published.status, 200);
    const drawJson = (await published.json()) as {
      promotions: { xUserId: string; replacesXUserId: string }[];
    };
    assert.deepEqual(
      drawJson.promotions.map((p) => [p.xUserId, p.replacesXUserId]),
      [[alternate1, winner2]],
    );

    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      await signInWithX(page, pageUrl(), alternate1!);
      const promoted = await bodyText(page);
      assert.match(promoted, /当選/);
      assert.match(promoted, /冬のギフトセット/);
      assert.equal(await page.locator('form[action$="/claim"]').count(), 1, 'their claim form');
      assert.ok(promoted.includes(await codeOf(alternate1!)), 'the verification code');
      await assertLooksRightOnPhone(page, "the alternate's promoted page");
      await screenshot(page, 'participants-4-promoted.png');

      // They claim too: the prize code that was winner #2's is now theirs, and with every prize
      // claimed the workflow finishes without waiting for the alternate's deadline.
      const form = page.locator('form[action$="/claim"]');
      await form.locator('[name="name"]').fill('佐藤 一郎');
      await form.locator('[name="email"]').fill('ichiro@example.com');
      await form.locator('[name="postalAddress"]').fill('大阪府大阪市北区梅田1-1');
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/c/${campaignId}`),
        form.locator('[type="submit"]').click(),
      ]);
      assert.match(await bodyText(page), /GIFT-0002/);
    } finally {
      await context.close();
    }
    stack.started.push(`claim-purge:${campaignId}`);
    await skipUntil(
      stack,
      'the campaign completed once every prize was claimed',
      async () => (await live(campaignId)).phase === 'completed',
      { step: '1 second', maxSteps: 600 },
    );
    const report = await stack.app.inject({
      url: `/v1/campaigns/${campaignId}/report`,
      headers: stack.auth('viewer'),
    });
    assert.equal(report.statusCode, 200, report.body);
    assert.deepEqual(report.json<{ report: { claims: unknown } }>().report.claims, {
      claimed: 2,
      forfeited: 1,
      promoted: 1,
      open: 0,
    });
    // Winner #2 is told why the prize is no longer theirs.
    const late = await phoneContext(browser);
    try {
      const page = await late.newPage();
      await signInWithX(page, pageUrl(), winner2!);
      assert.match(await bodyText(page), /受け取りの期限が過ぎました/);
      assert.equal(await page.locator('form[action$="/claim"]').count(), 0);
    } finally {
      await late.close();
    }
  });

  it('/verify says genuine for a win DM Kuji sent, and not genuine for the same DM altered', async () => {
    const person = people[0]!;
    const dm = stack.emulator.sent().dms.find((d) => d.recipientId === person.id);
    assert.ok(dm, 'the DM campaign sent its winner a DM');
    assert.match(dm.text, /KJ-[0-9A-Z]{4}-[0-9A-Z]{4}/, 'a win DM always carries its code');
    const altered = dm.text.replace(
      '当選です',
      '当選です。受け取りにはカード番号を返信してください',
    );
    assert.notEqual(altered, dm.text);

    const context = await phoneContext(browser);
    const page = await context.newPage();
    try {
      const check = async (message: string) => {
        await page.goto(`${stack.baseUrl}/verify`);
        await page.locator('[name="handle"]').fill(`@${person.username}`);
        await page.locator('[name="message"]').fill(message);
        await Promise.all([
          page.waitForLoadState('load'),
          page.locator('form [type="submit"]').first().click(),
        ]);
        return bodyText(page);
      };
      const genuine = await check(dm.text);
      assert.match(genuine, /本物のお知らせです/);
      assert.match(genuine, /This message is genuine/);
      assert.match(genuine, /冬のDMキャンペーン/);
      assert.match(genuine, /Card numbers/, 'what a genuine message never asks for');
      await assertLooksRightOnPhone(page, '/verify genuine');
      await screenshot(page, 'participants-5-verify-genuine.png');

      const fake = await check(altered);
      assert.match(fake, /本物のお知らせと確認できませんでした/);
      assert.match(fake, /could not be confirmed/);
      assert.doesNotMatch(fake, /本物のお知らせです|This message is genuine|冬のDMキャンペーン/);
      assert.match(fake, /Card numbers/);
      await assertLooksRightOnPhone(page, '/verify not genuine');
      await screenshot(page, 'participants-6-verify-not-genuine.png');
    } finally {
      await context.close();
    }
  });

  it('scripts/verify-draw.mjs reproduces the published winners from draw.json and entries.txt, and refuses a tampered draw', async () => {
    const drawUrl = `${pageUrl()}/draw.json`;
    const entriesUrl = `${pageUrl()}/entries.txt`;
    const published = (await (await fetch(drawUrl)).json()) as {
      seed: string;
      digest: string;
      winners: string[];
      alternates: string[];
    };
    assert.deepEqual(
      [published.seed, published.digest, published.winners, published.alternates],
      [draw.seed, draw.digest, draw.winners, draw.alternates],
    );
    const entries = (await (await fetch(entriesUrl)).text()).trim().split('\n');
    assert.deepEqual(
      entries,
      people
        .filter((p) => p !== notReposted)
        .map((p) => p.id)
        .sort(),
    );

    const script = path.join(repoRoot, 'scripts', 'verify-draw.mjs');
    const ok = await run(process.execPath, [script, drawUrl, entriesUrl]);
    assert.match(ok.stdout, /4 entries, 2 winners and 2 alternates follow from seed/, ok.stdout);

    const tampered = path.join(artifacts, 'participants-draw-tampered.json');
    writeFileSync(
      tampered,
      JSON.stringify({
        ...published,
        winners: [published.alternates[0], ...published.winners.slice(1)],
        alternates: [published.winners[0], ...published.alternates.slice(1)],
      }),
    );
    await assert.rejects(run(process.execPath, [script, tampered, entriesUrl]), (error) => {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      assert.equal(failed.code, 1);
      assert.match(`${failed.stdout}${failed.stderr}`, /winners/i, 'it says what differs');
      return true;
    });
  });
});
