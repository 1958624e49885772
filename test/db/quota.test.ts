import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDb, type Db } from '../../db/client';
import { quotaUsage, releaseQuotaSlot, reserveQuotaSlot } from '../../db/repositories/quota';
import { createTestDatabase, type TestDatabase } from '../support/database';

const accountId = 'acct_quota';
const today = '2026-12-01';
const tomorrow = '2026-12-02';

describe('DM quota ledger', () => {
  let testDb: TestDatabase;
  let pool: Db;
  before(async () => {
    testDb = await createTestDatabase();
    pool = createDb(testDb.url, { max: 20 });
  });
  after(async () => {
    await pool.destroy();
    await testDb.close();
  });
  beforeEach(async () => {
    await testDb.truncate();
  });

  it('reserves exactly the cap when 150 deliveries compete for a day of 100', async () => {
    const results = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        reserveQuotaSlot(pool, { accountId, deliveryId: `d${i}`, dayKey: today, cap: 100 }),
      ),
    );

    assert.equal(results.filter((r) => r.reserved).length, 100);
    for (const refused of results.filter((r) => !r.reserved)) {
      assert.deepEqual(refused, { reserved: false, used: 100, cap: 100 });
    }
    assert.deepEqual(await quotaUsage(testDb.db, accountId, today), { used: 100, cap: 100 });
  });

  it('holds one slot per delivery however often it is reserved', async () => {
    const first = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'd1',
      dayKey: today,
      cap: 10,
    });
    const second = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'd1',
      dayKey: tomorrow,
      cap: 10,
    });

    assert.deepEqual(first, { reserved: true, dayKey: today, alreadyHeld: false });
    assert.deepEqual(second, { reserved: true, dayKey: today, alreadyHeld: true });
    assert.deepEqual(await quotaUsage(testDb.db, accountId, today), { used: 1, cap: 10 });
    assert.equal(await quotaUsage(testDb.db, accountId, tomorrow), null);
  });

  it('counts one slot when the same delivery is reserved concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        reserveQuotaSlot(pool, {
          accountId,
          deliveryId: 'same',
          dayKey: i % 2 === 0 ? today : tomorrow,
          cap: 5,
        }),
      ),
    );

    assert.equal(results.filter((r) => r.reserved && !r.alreadyHeld).length, 1);
    const days = new Set(results.map((r) => (r.reserved ? r.dayKey : 'refused')));
    assert.equal(days.size, 1);
    const used =
      ((await quotaUsage(testDb.db, accountId, today))?.used ?? 0) +
      ((await quotaUsage(testDb.db, accountId, tomorrow))?.used ?? 0);
    assert.equal(used, 1);
  });

  it("shares one account's day between its campaigns", async () => {
    for (const deliveryId of ['campaignA:u1', 'campaignA:u2']) {
      await reserveQuotaSlot(testDb.db, { accountId, deliveryId, dayKey: today, cap: 3 });
    }
    const third = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'campaignB:u1',
      dayKey: today,
      cap: 3,
    });
    const fourth = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'campaignB:u2',
      dayKey: today,
      cap: 3,
    });

    assert.equal(third.reserved, true);
    assert.deepEqual(fourth, { reserved: false, used: 3, cap: 3 });
  });

  it('keeps days and accounts independent', async () => {
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd1', dayKey: today, cap: 1 });

    const nextDay = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'd2',
      dayKey: tomorrow,
      cap: 1,
    });
    const otherAccount = await reserveQuotaSlot(testDb.db, {
      accountId: 'acct_other',
      deliveryId: 'd3',
      dayKey: today,
      cap: 1,
    });

    assert.deepEqual(nextDay, { reserved: true, dayKey: tomorrow, alreadyHeld: false });
    assert.deepEqual(otherAccount, { reserved: true, dayKey: today, alreadyHeld: false });
  });

  it('applies the smallest cap any caller gave for the day', async () => {
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd1', dayKey: today, cap: 5 });
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd2', dayKey: today, cap: 2 });

    const third = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'd3',
      dayKey: today,
      cap: 5,
    });

    assert.deepEqual(third, { reserved: false, used: 2, cap: 2 });
  });

  it('releases a slot once, however often release is called', async () => {
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd1', dayKey: today, cap: 2 });
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd2', dayKey: today, cap: 2 });

    assert.equal(await releaseQuotaSlot(testDb.db, { accountId, deliveryId: 'd1' }), true);
    assert.equal(await releaseQuotaSlot(testDb.db, { accountId, deliveryId: 'd1' }), false);
    assert.deepEqual(await quotaUsage(testDb.db, accountId, today), { used: 1, cap: 2 });

    const retried = await reserveQuotaSlot(testDb.db, {
      accountId,
      deliveryId: 'd1',
      dayKey: tomorrow,
      cap: 1,
    });
    assert.deepEqual(retried, { reserved: true, dayKey: tomorrow, alreadyHeld: false });
  });

  it('releases concurrently without double-counting', async () => {
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd1', dayKey: today, cap: 3 });
    await reserveQuotaSlot(testDb.db, { accountId, deliveryId: 'd2', dayKey: today, cap: 3 });

    const releases = await Promise.all(
      Array.from({ length: 8 }, () => releaseQuotaSlot(pool, { accountId, deliveryId: 'd1' })),
    );

    assert.equal(releases.filter(Boolean).length, 1);
    assert.deepEqual(await quotaUsage(testDb.db, accountId, today), { used: 1, cap: 3 });
  });

  it('joins a caller transaction and rolls back with it', async () => {
    await assert.rejects(
      testDb.db.transaction().execute(async (trx) => {
        await reserveQuotaSlot(trx, { accountId, deliveryId: 'd1', dayKey: today, cap: 1 });
        throw new Error('caller failed');
      }),
      /caller failed/,
    );

    assert.equal(await quotaUsage(testDb.db, accountId, today), null);
  });
});
