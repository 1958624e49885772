import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDb, type Db } from '../../db/client';
import {
  assignPrizeCode,
  insertPrizes,
  listPrizeStock,
  returnPrizeStock,
  takePrizeStock,
} from '../../db/repositories/prizes';
import { createTestDatabase, type TestDatabase } from '../support/database';

const campaignId = 'cmp_prizes';

describe('prizes repository', () => {
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

  it('hands out exactly the stock to 500 concurrent takers and never goes below zero', async () => {
    await insertPrizes(testDb.db, campaignId, [
      { id: 'gift', name: 'Gift card', valueYen: 500, stock: 37 },
    ]);

    const results = await Promise.all(
      Array.from({ length: 500 }, () => takePrizeStock(pool, campaignId, 'gift')),
    );

    assert.equal(results.filter(Boolean).length, 37);
    const [stock] = await listPrizeStock(testDb.db, campaignId);
    assert.equal(stock?.stockRemaining, 0);
    assert.equal(await takePrizeStock(testDb.db, campaignId, 'gift'), false);
  });

  it('refuses to take stock of an unknown prize', async () => {
    assert.equal(await takePrizeStock(testDb.db, campaignId, 'missing'), false);
  });

  it('gives stock back up to the total and no further', async () => {
    await insertPrizes(testDb.db, campaignId, [
      { id: 'mug', name: 'Mug', valueYen: 1200, stock: 2 },
    ]);
    assert.equal(await takePrizeStock(testDb.db, campaignId, 'mug'), true);

    assert.equal(await returnPrizeStock(testDb.db, campaignId, 'mug'), true);
    assert.equal(await returnPrizeStock(testDb.db, campaignId, 'mug'), false);
    const [stock] = await listPrizeStock(testDb.db, campaignId);
    assert.equal(stock?.stockRemaining, 2);
  });

  it('loads prizes idempotently: a second load neither refills stock nor duplicates codes', async () => {
    const prizes = [
      { id: 'a', name: 'A', valueYen: 100, stock: 3, codes: ['A-1', 'A-2', 'A-3'] },
      { id: 'b', name: 'B', valueYen: 200, stock: 1 },
    ];
    assert.equal(await insertPrizes(testDb.db, campaignId, prizes), 2);
    await takePrizeStock(testDb.db, campaignId, 'a');

    assert.equal(await insertPrizes(testDb.db, campaignId, prizes), 0);

    assert.deepEqual(await listPrizeStock(testDb.db, campaignId), [
      {
        prizeId: 'a',
        name: 'A',
        valueYen: 100,
        stockTotal: 3,
        stockRemaining: 2,
        codesTotal: 3,
        codesRemaining: 3,
      },
      {
        prizeId: 'b',
        name: 'B',
        valueYen: 200,
        stockTotal: 1,
        stockRemaining: 1,
        codesTotal: 0,
        codesRemaining: 0,
      },
    ]);
  });

  it('gives a participant the same code on every call', async () => {
    await insertPrizes(testDb.db, campaignId, [
      { id: 'code', name: 'Coupon', valueYen: 300, stock: 2, codes: ['C-1', 'C-2'] },
    ]);

    const first = await assignPrizeCode(testDb.db, campaignId, 'code', 'u1');
    const again = await assignPrizeCode(testDb.db, campaignId, 'code', 'u1');
    const other = await assignPrizeCode(testDb.db, campaignId, 'code', 'u2');
    const none = await assignPrizeCode(testDb.db, campaignId, 'code', 'u3');

    assert.ok(first);
    assert.equal(again, first);
    assert.ok(other);
    assert.notEqual(other, first);
    assert.equal(none, null);
    assert.equal((await listPrizeStock(testDb.db, campaignId))[0]?.codesRemaining, 0);
  });

  it('never gives one code to two participants, nor two codes to one, under concurrency', async () => {
    const codes = Array.from({ length: 20 }, (_, i) => `K-${String(i).padStart(2, '0')}`);
    await insertPrizes(testDb.db, campaignId, [
      { id: 'key', name: 'Key', valueYen: 1000, stock: 20, codes },
    ]);
    const users = Array.from({ length: 30 }, (_, i) => `user${i}`);

    // Every participant asks three times at once (a retried activity racing itself).
    const calls = users.flatMap((user) =>
      [0, 1, 2].map(async () => ({
        user,
        code: await assignPrizeCode(pool, campaignId, 'key', user),
      })),
    );
    const results = await Promise.all(calls);

    const codeByUser = new Map<string, string | null>();
    for (const { user, code } of results) {
      if (codeByUser.has(user)) assert.equal(code, codeByUser.get(user), `${user} got two codes`);
      codeByUser.set(user, code);
    }
    const assigned = [...codeByUser.values()].filter((code): code is string => code !== null);
    assert.equal(assigned.length, 20);
    assert.equal(new Set(assigned).size, 20);
    assert.deepEqual([...assigned].sort(), codes);
  });
});
