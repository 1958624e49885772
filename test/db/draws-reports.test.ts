import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
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
