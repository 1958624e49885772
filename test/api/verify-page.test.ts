/** `/verify`: the page, a genuine and a not-genuine check, and its rate limit per address. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { VERIFY_CHECKS_PER_MINUTE } from '../../api/routes/verify';
import { insertAccount } from '../../db/repositories/accounts';
import { setEntryOutcomes, upsertEntry } from '../../db/repositories/entries';
import { verificationCode } from '../../domain/verification';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedCampaign } from '../support/fixtures';

const SEED = 'feedfacefeedface';
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

  it('says genuine for the right code and the same "not confirmed" for an unknown handle and a wrong code', async () => {
    const code = verificationCode(SEED, '1790000000000000101');
    const genuine = await check({ handle: '@alice', code }, '203.0.113.2');
    assert.equal(genuine.statusCode, 200);
    assert.ok(text(genuine.body).includes('This message is genuine'), text(genuine.body));
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
