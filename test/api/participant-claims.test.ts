/**
 * Claiming a prize on the participant view (signed in or on a personal link), the published draw
 * (draw.json, entries.txt), and the operators' claim endpoints: through the API against
 * PostgreSQL and the X emulator's consent screen.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { verifyDrawScriptFile } from '../../api/routes/participants';
import { insertAccount } from '../../db/repositories/accounts';
import { insertApiKey } from '../../db/repositories/api-keys';
import { pinApprovedConfigVersion } from '../../db/repositories/campaigns';
import { findClaim, insertClaims } from '../../db/repositories/claims';
import { insertDraw } from '../../db/repositories/draws';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { insertPrizes } from '../../db/repositories/prizes';
import { drawWinners, entriesDigest } from '../../domain/lottery';
import { resultLinkToken } from '../../domain/result-links';
import { verificationCode } from '../../domain/verification';
import { answerConsent, startXEmulator, type XEmulator } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { reachableExampleConfig, seedCampaign } from '../support/fixtures';
import { buildLinkingApp, emulatorLinking } from '../support/linking';
import { ALICE_ID, app as emulatorApp, baseScenario, BOB_ID, CAROL_ID } from '../x/support';

const SEED = 'c0ffee00c0ffee00';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('claims on the participant view', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  let api: FastifyInstance;
  const campaignId = 'claim-lottery';
  const otherCampaignId = 'other-lottery';

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
    const base = reachableExampleConfig(new Date());
    for (const id of [campaignId, otherCampaignId]) {
      await seedCampaign(testDb.db, {
        accountId: 'brand',
        id,
        overrides: {
          claim: { fields: ['name', 'email', 'postalAddress'], retentionDays: 30 },
          schedule: { ...base.schedule, claimDeadlineHours: 48 },
          // With claims on, the code shows on the page once claimed, never in the win DM.
          templates: {
            ...base.templates,
            win: { ...base.templates.win, dm: '{name}さん、当選です！受け取り: {resultUrl}' },
          },
        },
      });
      await pinApprovedConfigVersion(testDb.db, id, 1);
      await testDb.db
        .updateTable('campaigns')
        .set({ secret_seed: SEED })
        .where('id', '=', id)
        .execute();
      await insertPrizes(testDb.db, id, [
        { id: 'gift-card-1000', name: 'デジタルギフト1,000円分', valueYen: 1000, stock: 10 },
      ]);
      for (const [xUserId, username] of [
        [ALICE_ID, 'alice'],
        [BOB_ID, 'bob'],
        [CAROL_ID, 'carol'],
      ] as const) {
        await upsertEntry(testDb.db, {
          campaignId: id,
          xUserId,
          username,
          consentBasis: 'none',
          facts: {},
          eligible: true,
          reasons: [],
        });
      }
    }
    const now = new Date();
    await insertDraw(testDb.db, {
      campaignId,
      ...drawWinners({
        seed: 'ab'.repeat(32),
        entryIds: [ALICE_ID, BOB_ID, CAROL_ID],
        winners: 2,
        alternates: 1,
      }),
    });
    await setEntryOutcomes(testDb.db, campaignId, [
      { xUserId: ALICE_ID, outcome: 'won', prizeId: 'gift-card-1000', prizeCode: 'GIFT-0001' },
      { xUserId: BOB_ID, outcome: 'won', prizeId: 'gift-card-1000', prizeCode: 'GIFT-0002' },
      { xUserId: CAROL_ID, outcome: 'alternate' },
    ]);
    await insertClaims(
      testDb.db,
      [ALICE_ID, BOB_ID].map((xUserId) => ({
        campaignId,
        xUserId,
        prizeId: 'gift-card-1000',
        openedAt: now,
        deadlineAt: new Date(now.getTime() + 48 * 3600_000),
      })),
    );
  });

  async function signInCookie(campaign: string, userId: string): Promise<string> {
    const start = await api.inject({ url: `/c/${campaign}/signin` });
    const { callbackUrl } = await answerConsent(String(start.headers.location), {
      userId,
      decision: 'allow',
    });
    const url = new URL(callbackUrl);
    // The callback needs the sign-in cookie the start set in this browser.
    const started = [start.headers['set-cookie'] ?? []].flat().map(String);
    const nonce = started.find((c) => c.startsWith('kuji_signin_'))?.split(';')[0] ?? '';
    const callback = await api.inject({
      url: `${url.pathname}${url.search}`,
      headers: { cookie: nonce },
    });
    const set = [callback.headers['set-cookie'] ?? []].flat().map(String);
    return set.find((c) => c.startsWith('kuji_participant='))?.split(';')[0] ?? '';
  }

  const csrfOf = (body: string) => body.match(/name="csrf" value="([^"]+)"/)?.[1] ?? '';

  describe('POST /c/:campaignId/claim', () => {
    it('shows an open claim’s form without the code, keeps what was typed on bad input, then claims and shows the code', async () => {
      const cookie = await signInCookie(campaignId, ALICE_ID);
      const page = await api.inject({ url: `/c/${campaignId}`, headers: { cookie } });
      const text = visibleText(page.body);
      assert.ok(text.includes('受け取り期限'), text);
      assert.ok(text.includes('Claim my prize'), text);
      assert.ok(!text.includes('GIFT-0001'), 'the code shows only after the claim');
      const csrf = csrfOf(page.body);

      const bad = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/claim`,
        headers: { ...form, cookie },
        payload: new URLSearchParams({
          csrf,
          name: '山田 <花子>',
          email: 'not-an-email',
          postalAddress: '',
        }).toString(),
      });
      assert.equal(bad.statusCode, 422, bad.body);
      assert.ok(bad.body.includes('value="山田 &lt;花子&gt;"'), 'what they typed, escaped');
      assert.ok(visibleText(bad.body).includes('メールアドレスの形式が正しくありません'));
      assert.ok(visibleText(bad.body).includes('That is not a valid email address'));
      assert.equal((await findClaim(testDb.db, campaignId, ALICE_ID))?.state, 'open');

      const good = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/claim`,
        headers: { ...form, cookie },
        payload: new URLSearchParams({
          csrf,
          name: '山田 花子',
          email: 'hanako@example.jp',
          postalAddress: '〒100-0001 東京都千代田区千代田1-1',
        }).toString(),
      });
      assert.equal(good.statusCode, 303, good.body);
      assert.equal(good.headers.location, `/c/${campaignId}?notice=claimed`);
      assert.equal((await findClaim(testDb.db, campaignId, ALICE_ID))?.state, 'claimed');
      const after = visibleText(
        (await api.inject({ url: `/c/${campaignId}?notice=claimed`, headers: { cookie } })).body,
      );
      assert.ok(after.includes('GIFT-0001'), after);
      assert.ok(after.includes('受け取りの手続きを受け付けました'), after);

      const again = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/claim`,
        headers: { ...form, cookie },
        payload: new URLSearchParams({
          csrf,
          name: 'x',
          email: 'a@b.jp',
          postalAddress: '東京都千代田区',
        }).toString(),
      });
      assert.equal(again.statusCode, 409);
    });

    it('refuses without a CSRF token, without a session, with another campaign’s session, and for someone else’s user', async () => {
      const cookie = await signInCookie(campaignId, ALICE_ID);
      const csrf = csrfOf(
        (await api.inject({ url: `/c/${campaignId}`, headers: { cookie } })).body,
      );
      const answers = {
        name: '山田 花子',
        email: 'hanako@example.jp',
        postalAddress: '東京都千代田区千代田1-1',
      };
      const otherCookie = await signInCookie(otherCampaignId, BOB_ID);
      const attempts: Array<{
        headers: Record<string, string>;
        body: Record<string, string>;
        url?: string;
      }> = [
        { headers: { cookie }, body: answers },
        // A token one character off: its first (a whole 6 bits; a token that already ended in
        // "AA" made the old tamper a no-op, about 1 run in 1,000).
        {
          headers: { cookie },
          body: { ...answers, csrf: (csrf[0] === 'A' ? 'B' : 'A') + csrf.slice(1) },
        },
        { headers: {}, body: { ...answers, csrf } },
        // Bob's session on another campaign, posting to this one.
        { headers: { cookie: otherCookie }, body: { ...answers, csrf } },
        // Alice's session naming Bob, with Alice's token: not Bob's link.
        {
          headers: { cookie },
          body: { ...answers, csrf, xUserId: BOB_ID, token: resultLinkToken(SEED, ALICE_ID) },
        },
      ];
      for (const attempt of attempts) {
        const response = await api.inject({
          method: 'POST',
          url: `/c/${campaignId}/claim`,
          headers: { ...form, ...attempt.headers },
          payload: new URLSearchParams(attempt.body).toString(),
        });
        assert.equal(response.statusCode, 403, JSON.stringify(attempt.body));
      }
      assert.equal((await findClaim(testDb.db, campaignId, ALICE_ID))?.state, 'open');
      assert.equal((await findClaim(testDb.db, campaignId, BOB_ID))?.state, 'open');
    });

    it('answers an unreadable form (a NUL character, over 16 KiB) with a page in both languages and changes nothing', async () => {
      const cookie = await signInCookie(campaignId, ALICE_ID);
      const csrf = csrfOf(
        (await api.inject({ url: `/c/${campaignId}`, headers: { cookie } })).body,
      );
      const answers = {
        csrf,
        email: 'hanako@example.jp',
        postalAddress: '東京都千代田区千代田1-1',
      };
      for (const [status, name] of [
        [400, '山田\u0000花子'],
        [413, 'あ'.repeat(8000)],
      ] as const) {
        const response = await api.inject({
          method: 'POST',
          url: `/c/${campaignId}/claim`,
          headers: { ...form, cookie },
          payload: new URLSearchParams({ ...answers, name }).toString(),
        });
        assert.equal(response.statusCode, status, response.body.slice(0, 200));
        assert.match(String(response.headers['content-type']), /^text\/html/);
        const text = visibleText(response.body);
        assert.ok(text.includes('送信内容を処理できませんでした'), text);
        assert.ok(text.includes('Nothing was changed'), text);
      }
      assert.equal((await findClaim(testDb.db, campaignId, ALICE_ID))?.state, 'open');
    });

    it('claims from a personal result link, its token proving the user', async () => {
      const link = `/r/${campaignId}/${BOB_ID}/${resultLinkToken(SEED, BOB_ID)}`;
      const page = await api.inject({ url: link });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes(`name="xUserId" value="${BOB_ID}"`));
      const response = await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/claim`,
        headers: form,
        payload: new URLSearchParams({
          csrf: csrfOf(page.body),
          xUserId: BOB_ID,
          token: resultLinkToken(SEED, BOB_ID),
          name: '佐藤 一郎',
          email: 'ichiro@example.jp',
          postalAddress: '大阪府大阪市北区1-2-3',
        }).toString(),
      });
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, `${link}?notice=claimed`);
      assert.equal((await findClaim(testDb.db, campaignId, BOB_ID))?.state, 'claimed');
    });
  });

  describe('GET /c/:campaignId/draw.json and entries.txt', () => {
    it('publish the seed, digest, winners, alternates and the exact X user ids the draw ran over', async () => {
      const draw = await api.inject({ url: `/c/${campaignId}/draw.json` });
      assert.equal(draw.statusCode, 200, draw.body);
      const published = draw.json<{
        seed: string;
        digest: string;
        entryCount: number;
        winners: string[];
        alternates: string[];
      }>();
      const entries = await api.inject({ url: `/c/${campaignId}/entries.txt` });
      assert.equal(entries.statusCode, 200);
      assert.match(String(entries.headers['content-type']), /^text\/plain/);
      const ids = entries.body.trim().split('\n');
      assert.deepEqual(ids, [ALICE_ID, BOB_ID, CAROL_ID].sort());
      assert.equal(entriesDigest(ids).digest, published.digest);
      const again = drawWinners({ seed: published.seed, entryIds: ids, winners: 2, alternates: 1 });
      assert.deepEqual(
        [again.winners, again.alternates],
        [published.winners, published.alternates],
      );
      assert.ok(!entries.body.includes('alice'), 'ids only, no handles');

      // The page shows the same facts, and the command that re-derives them from the files.
      const page = visibleText((await api.inject({ url: `/c/${campaignId}` })).body);
      assert.ok(page.includes(published.seed) && page.includes(published.digest), page);
      assert.ok(
        page.includes(
          `node verify-draw.mjs http://kuji.test/c/${campaignId}/draw.json http://kuji.test/c/${campaignId}/entries.txt`,
        ),
        page,
      );
      // A personal link shows the same participant view: the draw and the verification code.
      const link = visibleText(
        (
          await api.inject({
            url: `/r/${campaignId}/${CAROL_ID}/${resultLinkToken(SEED, CAROL_ID)}`,
          })
        ).body,
      );
      assert.ok(link.includes('補欠当選です') && link.includes(published.digest), link);
      assert.ok(link.includes(verificationCode(SEED, CAROL_ID)), link);

      // A draw stored before its entry list was kept is rebuilt from the entries' outcomes; when
      // those no longer reproduce the digest, nothing is published.
      await setEntryOutcomes(testDb.db, campaignId, [{ xUserId: CAROL_ID, outcome: 'pending' }]);
      assert.equal((await api.inject({ url: `/c/${campaignId}/entries.txt` })).statusCode, 503);
      for (const path of ['draw.json', 'entries.txt']) {
        assert.equal((await api.inject({ url: `/c/${otherCampaignId}/${path}` })).statusCode, 404);
      }
    });

    it("keep publishing the draw's own entry list after an alternate is judged ineligible", async () => {
      // As the draw activity stores it: the ids it ran over, kept with the draw.
      const entryIds = [ALICE_ID, BOB_ID, CAROL_ID];
      const drawn = drawWinners({ seed: 'cd'.repeat(32), entryIds, winners: 1, alternates: 2 });
      await insertDraw(testDb.db, { campaignId: otherCampaignId, entryIds, ...drawn });
      const [winner, ...alternates] = [...drawn.winners, ...drawn.alternates] as [
        string,
        ...string[],
      ];
      await setEntryOutcomes(testDb.db, otherCampaignId, [
        { xUserId: winner, outcome: 'won', prizeId: 'gift-card-1000', prizeCode: null },
        ...alternates.map((xUserId) => ({ xUserId, outcome: 'alternate' as const })),
      ]);
      // After the draw, an alternate is disqualified (settleClaims passes them over).
      const disqualified = alternates[0]!;
      await setEntryOutcomes(testDb.db, otherCampaignId, [
        { xUserId: disqualified, outcome: 'ineligible' },
      ]);
      await testDb.db
        .updateTable('entries')
        .set({
          eligible: false,
          reasons: JSON.stringify([
            { code: 'not_following', ja: 'フォローなし', en: 'Not following' },
          ]),
        })
        .where('campaign_id', '=', otherCampaignId)
        .where('x_user_id', '=', disqualified)
        .execute();
      // The winner never claimed: settleClaims passed the disqualified alternate over and
      // promoted the next one in draw order.
      const drawnAt = new Date('2026-12-03T00:00:00Z');
      const promotedAt = new Date('2026-12-06T00:00:00Z');
      await insertClaims(testDb.db, [
        {
          campaignId: otherCampaignId,
          xUserId: winner,
          prizeId: 'gift-card-1000',
          openedAt: drawnAt,
          deadlineAt: promotedAt,
        },
        {
          campaignId: otherCampaignId,
          xUserId: alternates[1]!,
          prizeId: 'gift-card-1000',
          openedAt: promotedAt,
          deadlineAt: new Date('2026-12-09T00:00:00Z'),
          replacesXUserId: winner,
        },
      ]);

      const entries = await api.inject({ url: `/c/${otherCampaignId}/entries.txt` });
      assert.equal(entries.statusCode, 200, entries.body);
      const ids = entries.body.trim().split('\n');
      assert.deepEqual(ids, [...entryIds].sort());
      const drawJson = (await api.inject({ url: `/c/${otherCampaignId}/draw.json` })).body;
      const published = JSON.parse(drawJson) as {
        seed: string;
        digest: string;
        winners: string[];
        alternates: string[];
        promotions: Array<{ xUserId: string; replacesXUserId: string }>;
        passedOver: Array<{ xUserId: string; reason: string }>;
      };
      assert.equal(entriesDigest(ids).digest, published.digest);
      const again = drawWinners({ seed: published.seed, entryIds: ids, winners: 1, alternates: 2 });
      assert.deepEqual(
        [again.winners, again.alternates],
        [published.winners, published.alternates],
      );
      assert.deepEqual(
        published.promotions.map((p) => [p.xUserId, p.replacesXUserId]),
        [[alternates[1], winner]],
      );
      assert.deepEqual(published.passedOver, [
        { xUserId: disqualified, reason: 'ineligible: not_following' },
      ]);
      // The re-derive script accepts this genuine draw: the skip is one draw.json explains.
      const dir = mkdtempSync(path.join(tmpdir(), 'kuji-draw-'));
      try {
        writeFileSync(path.join(dir, 'draw.json'), drawJson);
        writeFileSync(path.join(dir, 'entries.txt'), entries.body);
        const run = spawnSync(
          process.execPath,
          [verifyDrawScriptFile, path.join(dir, 'draw.json'), path.join(dir, 'entries.txt')],
          { encoding: 'utf8' },
        );
        assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('operator claim endpoints', () => {
    it('JSON and CSV (BOM) with decrypted answers for admin and operator, refused to viewer and approver, audited; purge is admin only', async () => {
      const keys: Record<string, string> = {};
      for (const role of ['admin', 'operator', 'viewer', 'approver'] as const) {
        keys[role] =
          `Bearer ${(await insertApiKey(testDb.db, { id: role, name: role, role })).secret}`;
      }
      const link = `/r/${campaignId}/${BOB_ID}/${resultLinkToken(SEED, BOB_ID)}`;
      const page = await api.inject({ url: link });
      await api.inject({
        method: 'POST',
        url: `/c/${campaignId}/claim`,
        headers: form,
        payload: new URLSearchParams({
          csrf: csrfOf(page.body),
          xUserId: BOB_ID,
          token: resultLinkToken(SEED, BOB_ID),
          name: '=HYPERLINK("x")',
          email: 'ichiro@example.jp',
          postalAddress: '大阪府大阪市北区1-2-3, 4F',
        }).toString(),
      });
      // The answers reach the database sealed (api/claim-answers.ts), none of them readable there.
      const stored = await testDb.db
        .selectFrom('claims')
        .select('data_sealed')
        .where('campaign_id', '=', campaignId)
        .where('x_user_id', '=', BOB_ID)
        .executeTakeFirstOrThrow();
      assert.ok(stored.data_sealed);
      assert.doesNotMatch(stored.data_sealed, /ichiro|大阪|HYPERLINK/);
      for (const role of ['viewer', 'approver']) {
        for (const url of [
          `/v1/campaigns/${campaignId}/claims`,
          `/v1/campaigns/${campaignId}/claims.csv`,
        ]) {
          const refused = await api.inject({ url, headers: { authorization: keys[role] ?? '' } });
          assert.equal(refused.statusCode, 403, `${role} ${url}`);
        }
      }
      const json = await api.inject({
        url: `/v1/campaigns/${campaignId}/claims`,
        headers: { authorization: keys.operator ?? '' },
      });
      assert.equal(json.statusCode, 200, json.body);
      const claims = json.json<{
        claims: Array<{ xUserId: string; state: string; answers: Record<string, string> | null }>;
      }>().claims;
      const bob = claims.find((c) => c.xUserId === BOB_ID);
      assert.equal(bob?.state, 'claimed');
      assert.equal(bob?.answers?.email, 'ichiro@example.jp');
      assert.equal(claims.find((c) => c.xUserId === ALICE_ID)?.answers, null);

      const csv = await api.inject({
        url: `/v1/campaigns/${campaignId}/claims.csv`,
        headers: { authorization: keys.admin ?? '' },
      });
      assert.equal(csv.statusCode, 200);
      assert.ok(csv.body.startsWith('\uFEFFxUserId,prizeId,state,'), csv.body.slice(0, 40));
      assert.ok(csv.body.includes(`"'=HYPERLINK(""x"")"`), 'a formula is written as text');
      assert.ok(csv.body.includes('"大阪府大阪市北区1-2-3, 4F"'));
      const audits = await testDb.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'claims.export')
        .execute();
      assert.deepEqual(audits.map((a) => a.actor).sort(), ['admin', 'operator']);

      const operatorPurge = await api.inject({
        method: 'POST',
        url: `/v1/campaigns/${campaignId}/claims/purge`,
        headers: { authorization: keys.operator ?? '' },
      });
      assert.equal(operatorPurge.statusCode, 403);
      const purge = await api.inject({
        method: 'POST',
        url: `/v1/campaigns/${campaignId}/claims/purge`,
        headers: { authorization: keys.admin ?? '' },
      });
      assert.equal(purge.statusCode, 200, purge.body);
      assert.deepEqual(purge.json(), { purged: 2 });
      const afterPurge = await api.inject({
        url: `/v1/campaigns/${campaignId}/claims`,
        headers: { authorization: keys.admin ?? '' },
      });
      assert.equal(
        afterPurge.json<{ claims: Array<{ answers: unknown }> }>().claims.find(() => true)
          ?.answers ?? null,
        null,
      );
      assert.ok(
        afterPurge
          .json<{ claims: Array<{ answers: unknown; dataPurgedAt: string | null }> }>()
          .claims.every((c) => c.answers === null && c.dataPurgedAt),
      );
      const purges = await testDb.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'claims.purge')
        .execute();
      assert.equal(purges.length, 1);
      assert.equal(purges[0]?.actor, 'admin');
    });
  });
});
