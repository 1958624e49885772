import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '../../db/client';
import {
  countRateLimitHit,
  deleteEndedRateLimitCounts,
  findRateLimitCount,
} from '../../db/repositories/rate-limits';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('rate-limit counters', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  beforeEach(() => testDb.truncate());
  after(() => testDb?.close());

  it('counts concurrent hits exactly: 40 at once from two pools are numbered 1..40', async () => {
    const second = createDb(testDb.url);
    try {
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          countRateLimitHit(i % 2 === 0 ? testDb.db : second, 'bucket-a', 60_000),
        ),
      );
      assert.deepEqual(
        hits.map((h) => h.hits).sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      for (const { ttlMs } of hits) assert.ok(ttlMs > 55_000 && ttlMs <= 60_000, `${ttlMs}`);
      assert.equal((await findRateLimitCount(testDb.db, 'bucket-a')).hits, 40);
      assert.equal((await findRateLimitCount(testDb.db, 'bucket-b')).hits, 0);
    } finally {
      await second.destroy();
    }
  });

  it('starts again at 1 once the window has ended, and purges ended windows', async () => {
    await countRateLimitHit(testDb.db, 'short', 150);
    assert.equal((await countRateLimitHit(testDb.db, 'short', 150)).hits, 2);
    await countRateLimitHit(testDb.db, 'long', 60_000);
    await sleep(250);
    assert.deepEqual(await findRateLimitCount(testDb.db, 'short'), { hits: 0, ttlMs: 0 });
    assert.equal(await deleteEndedRateLimitCounts(testDb.db), 1);
    const again = await countRateLimitHit(testDb.db, 'short', 150);
    assert.equal(again.hits, 1);
    assert.equal((await findRateLimitCount(testDb.db, 'long')).hits, 1, 'a live window is kept');
  });
});
