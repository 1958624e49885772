/** `/verify`: the page, a genuine and a not-genuine check, and its rate limit per address. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { VERIFY_CHECKS_PER_MINUTE } from '../../api/routes/verify';
import { insertAccount } from '../../db/repositories/accounts';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { messageDigest, verificationCode } from '../../domain/verification';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedCampaign } from '../support/fixtures';

const SEED = 'feedfacefeedface';
const ALICE_CODE = verificationCode(SEED, '1790000000000000101');
const winDm = `aliceさん、当選です！受け取りはこちら: http://kuji.test/c/verify-lottery\n確認コード / Verification code: ${ALICE_CODE}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('/verify', () => {
  let testDb: TestDatabase;
  let app: FastifyInstance;

  before(async () => {
    testDb = await createTestDatabase();
    app = await buildApp({
      db: testDb.db,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
      temporalConfig: { namespace: 'default', taskQueue: 'unused' },
    });
    await insertAccount(testDb.db, { id: 'brand', handle: 'kuji_sender' });
    const campaign = await seedCampaign(testDb.db, { accountId: 'brand', id: 'verify-lottery' });
    await testDb.db
      .updateTable('campaigns')
      .set({ secret_seed: SEED })
      .where('id', '=', campaign.id)
      .execute();
    await upsertEntry(testDb.db, {
      campaignId: campaign.id,
      xUserId: '1790000000000000101',
      username: 'alice',
      consentBasis: 'none',
      facts: {},
      eligible: true,
      reasons: [],
    });
    await setEntryOutcomes(testDb.db, campaign.id, [
      { xUserId: '1790000000000000101', outcome: 'won' },
    ]);
    // The win DM Kuji sent alice: only its digest is kept.
    await testDb.db
      .insertInto('deliveries')
      .values({
        id: 'verify-win-dm',
        campaign_id: campaign.id,
        account_id: 'brand',
        x_user_id: '1790000000000000101',
        kind: 'win',
        channel: 'dm',
        channel_reason: null,
        error_code: null,
        error_category: null,
        error_reason: null,
        error_remedy: null,
        x_event_id: null,
        x_conversation_id: null,
        window_day: null,
        eta: null,
        reply_to_tweet_id: null,
        sending_started_at: null,
        intervention_id: null,
        resend_of: null,
        body: null,
        state: 'sent',
        sent_at: new Date(),
        text_digest: messageDigest(winDm),
      })
      .execute();
  });
  after(async () => {
    await app?.close();
    await testDb?.close();
  });

  const check = (body: Record<string, string>, ip = '203.0.113.1') =>
    app.inject({
      method: 'POST',
      url: '/verify',
      headers: form,
      payload: new URLSearchParams(body).toString(),
      remoteAddress: ip,
    });

  it('GET shows the form and what a genuine message never asks for, in Japanese then English', async () => {
    const page = await app.inject({ url: '/verify' });
    assert.equal(page.statusCode, 200);
    const t = text(page.body);
    assert.ok(
      t.indexOf('本物のお知らせが求めないもの') <
        t.indexOf('What a genuine message never asks for'),
    );
    assert.ok(t.includes('Any payment, shipping charge or fee'));
    assert.ok(!page.body.includes('<script'));
  });

  it('the form asks for the whole message first; the code alone is the optional field', async () => {
    const page = await app.inject({ url: '/verify' });
    const label = (field: string) => {
      const match = page.body.match(new RegExp(`<label for="${field}"\\s*>([\\s\\S]*?)</label`));
      assert.ok(match?.[1], `a label for ${field}`);
      return text(match[1]).trim();
    };
    const message = label('message');
    assert.ok(message.includes('届いたメッセージの全文'), message);
    assert.ok(message.includes('The whole message as received'), message);
    assert.ok(!/任意|optional/i.test(message), message);
    const code = label('code');
    assert.ok(code.includes('確認コードのみ（任意'), code);
    assert.ok(code.includes('Verification code only (optional'), code);
    assert.ok(page.body.indexOf('id="message"') < page.body.indexOf('id="code"'));
  });

  it('a code alone is not a genuine message: it names whose result the code is and asks for the whole message', async () => {
    // Win codes are public in win replies: a scammer can quote a real one.
    const codeOnly = await check({ handle: '@alice', code: ALICE_CODE }, '203.0.113.3');
    assert.equal(codeOnly.statusCode, 200);
    const t = text(codeOnly.body);
    assert.ok(!t.includes('本物のお知らせです'), t);
    assert.ok(!t.includes('This message is genuine'), t);
    assert.ok(!t.includes('本物です'), t);
    assert.ok(t.includes('確認コードは @alice さんの結果のものです'), t);
    assert.ok(t.includes('特定のメッセージが本物であることの証明にはなりません'), t);
    assert.ok(t.includes('メッセージ全文を貼り付けて'), t);
    assert.ok(t.includes('This code belongs to @alice’s result (won) in the campaign'), t);
    assert.ok(t.includes('does not prove any particular message is genuine'), t);
    assert.ok(t.includes('paste the whole message'), t);
    assert.ok(t.includes('What a genuine message never asks for'), t);
    assert.ok(t.includes('Any payment, shipping charge or fee'), t);
  });

  it('says genuine only for a pasted message that is word for word one Kuji sent', async () => {
    const genuine = await check({ handle: 'alice', message: winDm }, '203.0.113.4');
    const t = text(genuine.body);
    assert.ok(t.includes('本物のお知らせです'), t);
    assert.ok(t.includes('This message is genuine'), t);
    assert.ok(!t.includes('Only the code was checked'), t);
    const withCode = await check(
      { handle: 'alice', code: ALICE_CODE, message: winDm },
      '203.0.113.4',
    );
    assert.ok(text(withCode.body).includes('This message is genuine'));
    const altered = await check(
      { handle: 'alice', message: `${winDm}\n手数料500円をお支払いください` },
      '203.0.113.4',
    );
    assert.ok(!text(altered.body).includes('This message is genuine'));
    assert.ok(text(altered.body).includes('could not be confirmed'));
  });

  it('says the same "not confirmed" for an unknown handle and a wrong code', async () => {
    const code = ALICE_CODE;
    const wrongCode = await check({ handle: 'alice', code: 'KJ-0000-0000' }, '203.0.113.2');
    const unknownHandle = await check({ handle: 'nobody_here', code }, '203.0.113.2');
    const cardOf = (html: string) => html.match(/<article class="card">[\s\S]*?<\/article>/)?.[0];
    assert.ok(text(wrongCode.body).includes('could not be confirmed'));
    assert.equal(cardOf(wrongCode.body), cardOf(unknownHandle.body), 'no oracle');
  });

  it(`allows ${VERIFY_CHECKS_PER_MINUTE} checks a minute per address, then answers a 429 page`, async () => {
    for (let i = 0; i < VERIFY_CHECKS_PER_MINUTE; i++) {
      assert.equal(
        (await check({ handle: 'alice', code: 'KJ-0000-0000' }, '198.51.100.9')).statusCode,
        200,
      );
    }
    const limited = await check({ handle: 'alice', code: 'KJ-0000-0000' }, '198.51.100.9');
    assert.equal(limited.statusCode, 429);
    assert.ok(text(limited.body).includes('Too many checks'));
    assert.equal(
      (await check({ handle: 'alice', code: 'KJ-0000-0000' }, '198.51.100.10')).statusCode,
      200,
    );
  });
});
