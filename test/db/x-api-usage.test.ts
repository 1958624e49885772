import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  purgeXReadDays,
  recordXReadUsage,
  recordXWriteUsage,
  sumXUsageByKind,
} from '../../db/repositories/x-api-usage';
import { createTestDatabase, type TestDatabase } from '../support/database';

const subject = { campaignId: 'cmp_cost', accountId: 'acct_cost' };
const other = { campaignId: 'cmp_other', accountId: 'acct_cost' };
const morning = new Date('2026-12-03T01:00:00Z');
const evening = new Date('2026-12-03T23:00:00Z');
const nextDay = new Date('2026-12-04T00:30:00Z');

describe('x_api_usage repository', () => {
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

  it('counts a resource read once per UTC day, as X charges it', async () => {
    const { db } = testDb;
    const read = (ids: string[], at: Date) =>
      recordXReadUsage(db, subject, { kind: 'user_read', resourceIds: ids, at });
    assert.equal(await read(['1', '2', '3'], morning), 3);
    // The same list polled again later that day: only the newcomer counts.
    assert.equal(await read(['1', '2', '3', '4'], evening), 1);
    assert.equal(await read(['4', '4'], evening), 0);
    // A new UTC day charges them again.
    assert.equal(await read(['1', '2'], nextDay), 2);
    // A post with the same id is another resource.
    assert.equal(
      await recordXReadUsage(db, subject, { kind: 'post_read', resourceIds: ['1'], at: evening }),
      1,
    );
    assert.deepEqual(await sumXUsageByKind(db, subject.campaignId), { user_read: 6, post_read: 1 });
  });

  it('counts a write once per X id, whoever counts it again', async () => {
    const { db } = testDb;
    const dm = { kind: 'dm_create', xObjectId: '1860000000000000001' };
    assert.equal(await recordXWriteUsage(db, subject, dm), true);
    assert.equal(await recordXWriteUsage(db, subject, dm), false);
    assert.equal(
      await recordXWriteUsage(db, subject, { kind: 'post_create_url', xObjectId: '77' }),
      true,
    );
    assert.equal(await recordXWriteUsage(db, other, { kind: 'dm_create', xObjectId: '2' }), true);
    assert.deepEqual(await sumXUsageByKind(db, subject.campaignId), {
      dm_create: 1,
      post_create_url: 1,
    });
    assert.deepEqual(await sumXUsageByKind(db, other.campaignId), { dm_create: 1 });
    assert.deepEqual(await sumXUsageByKind(db, 'cmp_none'), {});
  });

  it('forgets read days older than yesterday', async () => {
    const { db } = testDb;
    const at = (iso: string) => new Date(iso);
    await recordXReadUsage(db, subject, {
      kind: 'post_read',
      resourceIds: ['a'],
      at: at('2026-12-01T10:00:00Z'),
    });
    await recordXReadUsage(db, subject, { kind: 'post_read', resourceIds: ['b'], at: evening });
    assert.equal(await purgeXReadDays(db, nextDay), 1);
    const left = await db.selectFrom('x_api_read_days').select('resource_id').execute();
    assert.deepEqual(
      left.map((r) => r.resource_id),
      ['b'],
    );
    // The usage itself stays.
    assert.deepEqual(await sumXUsageByKind(db, subject.campaignId), { post_read: 2 });
  });
});
