import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDb, type Db } from '../../db/client';
import { insertAccount } from '../../db/repositories/accounts';
import {
  ensureCampaignSecretSeed,
  findCampaignSecretSeed,
} from '../../db/repositories/campaign-seed';
import { insertCampaign } from '../../db/repositories/campaigns';
import { findDraw, insertDraw } from '../../db/repositories/draws';
import { findReport, upsertReport } from '../../db/repositories/reports';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_draws';

describe('draws and reports repositories', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
  });

  it('stores a campaign draw once and returns the stored draw to a retry', async () => {
    const first = {
      campaignId,
      seed: 'aa11',
      digest: 'd1',
      entryCount: 3,
      winners: ['u2'],
      alternates: ['u3', 'u1'],
    };
    const stored = await insertDraw(testDb.db, first);
    const retried = await insertDraw(testDb.db, { ...first, seed: 'bb22', winners: ['u1'] });

    assert.equal(stored.seed, 'aa11');
    assert.deepEqual(retried, stored);
    assert.deepEqual((await findDraw(testDb.db, campaignId))?.alternates, ['u3', 'u1']);
    assert.equal(await findDraw(testDb.db, 'cmp_none'), undefined);
  });

  it('keeps the latest report of a campaign', async () => {
    await upsertReport(testDb.db, campaignId, { sent: 1 });
    const firstStored = await findReport(testDb.db, campaignId);
    await upsertReport(testDb.db, campaignId, { sent: 2, days: ['2026-12-01'] });

    const latest = await findReport(testDb.db, campaignId);
    assert.deepEqual(latest?.report, { sent: 2, days: ['2026-12-01'] });
    assert.equal(latest?.createdAt.getTime(), firstStored?.createdAt.getTime());
    assert.ok((latest?.updatedAt.getTime() ?? 0) >= (firstStored?.updatedAt.getTime() ?? 0));
    assert.equal(await findReport(testDb.db, 'cmp_none'), undefined);
  });
});

describe('campaign seed repository', () => {
  let testDb: TestDatabase;
  let pool: Db;
  before(async () => {
    testDb = await createTestDatabase();
    pool = createDb(testDb.url, { max: 10 });
  });
  after(async () => {
    await pool.destroy();
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
    await insertAccount(testDb.db, { id: 'acct_seed', handle: 'kuji_demo' });
    await insertCampaign(testDb.db, {
      id: campaignId,
      name: 'seed',
      accountId: 'acct_seed',
      config: {},
      author: 'alice',
    });
  });

  it('creates one seed however many callers race for it, and keeps it', async () => {
    assert.equal(await findCampaignSecretSeed(testDb.db, campaignId), null);

    const seeds = await Promise.all(
      Array.from({ length: 10 }, () => ensureCampaignSecretSeed(pool, campaignId)),
    );

    const stored = await findCampaignSecretSeed(testDb.db, campaignId);
    assert.match(stored ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(new Set(seeds), new Set([stored]));
    assert.equal(await ensureCampaignSecretSeed(testDb.db, campaignId), stored);
  });

  it('keeps a seed set before and refuses a campaign that does not exist', async () => {
    await testDb.db
      .updateTable('campaigns')
      .set({ secret_seed: 'set-before' })
      .where('id', '=', campaignId)
      .execute();

    assert.equal(await ensureCampaignSecretSeed(testDb.db, campaignId), 'set-before');
    await assert.rejects(ensureCampaignSecretSeed(testDb.db, 'cmp_none'), /cmp_none/);
    assert.equal(await findCampaignSecretSeed(testDb.db, 'cmp_none'), null);
  });
});
