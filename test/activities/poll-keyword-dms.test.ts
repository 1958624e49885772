/**
 * The keyword DM reader on its own, over a fake X (pages of 100, newest first): a burst of more
 * DMs than one poll reads is read on by the next polls (a backfill below the newest DMs), DMs
 * dated outside the entry period are no entries, and a 429 keeps what was read without waiting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  createKeywordDmReader,
  type KeywordDmQuery,
  type KeywordDmRead,
  type KeywordDmsX,
} from '../../activities/entries/poll-keyword-dms';
import type { XDmEvent } from '../../x/api';

const PAGE = 100;
const START = Date.parse('2026-12-01T00:00:00Z');
const period = { startAt: new Date(START).toISOString(), endAt: '2026-12-10T00:00:00Z' };

/** DM ids are fixed-width decimals, newer = larger; `atMs` from the id. */
function dm(n: number, text = '参加', atMs = START + n * 1_000): XDmEvent {
  return {
    id: String(1_000_000 + n),
    eventType: 'MessageCreate',
    text,
    senderId: `user${n}`,
    createdAt: new Date(atMs).toISOString(),
    participantIds: [`user${n}`, 'sender'],
  };
}

/** A fake X holding `events` (any order), serving them newest first in pages of 100. */
function fakeX(events: XDmEvent[]) {
  const calls: { paginationToken?: string; waitInline?: boolean }[] = [];
  let failNext: Error | undefined;
  const x: KeywordDmsX = {
    xListAccountDmEvents: (input) => {
      calls.push({ paginationToken: input.paginationToken, waitInline: input.waitInline });
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        return Promise.reject(error);
      }
      const newestFirst = [...events].sort((a, b) => b.id.localeCompare(a.id));
      // A token names the id the page starts below, as X's tokens stay put while DMs arrive.
      const below = input.paginationToken;
      const from = below ? newestFirst.filter((e) => e.id < below) : newestFirst;
      const items = from.slice(0, PAGE);
      const nextToken = from.length > PAGE ? items[items.length - 1]!.id : undefined;
      return Promise.resolve({
        items,
        ...(nextToken ? { nextToken } : {}),
        complete: !nextToken,
        pagesRead: 1,
        partialErrors: [],
      });
    },
  };
  return {
    x,
    calls,
    events,
    failOnce: (error: Error) => {
      failNext = error;
    },
  };
}

const query = (over: Partial<KeywordDmQuery> = {}): KeywordDmQuery => ({
  accountId: 'acct',
  senderXUserId: 'sender',
  keywords: ['参加'],
  period,
  seenId: undefined,
  ...over,
});

/** The cursors the watch keeps between polls. */
const next = (read: KeywordDmRead): Partial<KeywordDmQuery> => ({
  seenId: read.newestId,
  ...(read.backfill ? { backfill: read.backfill } : {}),
});

const ids = (reads: KeywordDmRead[]) =>
  new Set(reads.flatMap((read) => read.drafts.map((draft) => draft.xEventId)));

describe('keyword DMs by polling (poll-keyword-dms)', () => {
  it('reads on below a burst larger than one poll reads, and still reads new DMs first', async () => {
    const world = fakeX(Array.from({ length: 10 }, (_, n) => dm(n)));
    const { readKeywordDms } = createKeywordDmReader(world.x);
    const first = await readKeywordDms(query());
    assert.equal(ids([first]).size, 10);

    // 1,200 DMs arrive at once: more than one poll's 5 pages.
    world.events.push(...Array.from({ length: 1_200 }, (_, n) => dm(10 + n)));
    const reads: KeywordDmRead[] = [];
    let cursors = next(first);
    for (let poll = 0; poll < 4; poll += 1) {
      // A new DM between polls is read at the very next poll.
      const fresh = dm(2_000 + poll);
      world.events.push(fresh);
      const read = await readKeywordDms(query(cursors));
      assert.ok(ids([read]).has(fresh.id), `poll ${poll} read the newest DM`);
      reads.push(read);
      cursors = next(read);
    }
    const read = ids(reads);
    const missing = world.events.filter((e) => Number(e.id) > 1_000_009 && !read.has(e.id));
    assert.deepEqual(
      missing.map((e) => e.id),
      [],
      'every DM of the burst is read',
    );
    assert.equal(cursors.backfill, undefined, 'nothing left to read');
    assert.equal(cursors.seenId, dm(2_003).id);
  });

  it('takes no DM dated outside the entry period', async () => {
    const world = fakeX([
      dm(1),
      dm(2, '参加', Date.parse('2026-12-11T00:00:00Z')),
      dm(3, 'こんにちは'),
    ]);
    const { readKeywordDms } = createKeywordDmReader(world.x);
    const read = await readKeywordDms(query());
    assert.deepEqual([...ids([read])], [dm(1).id]);
  });

  it('on a 429 asks X to fail at once, keeps what it read and the cursors, and skips until the reset', async () => {
    const world = fakeX(Array.from({ length: 150 }, (_, n) => dm(n)));
    let nowMs = Date.parse('2026-12-02T00:00:00Z');
    const { readKeywordDms } = createKeywordDmReader(world.x, () => nowMs);
    const first = await readKeywordDms(query());
    assert.equal(ids([first]).size, 150);
    assert.ok(
      world.calls.every((call) => call.waitInline === false),
      'never waited inline',
    );

    world.events.push(...Array.from({ length: 150 }, (_, n) => dm(150 + n)));
    const resetAt = new Date(nowMs + 5 * 60_000).toISOString();
    // The first page reads, the second is refused.
    const x = world.x.xListAccountDmEvents;
    let served = 0;
    world.x.xListAccountDmEvents = (input) => {
      served += 1;
      if (served === 2) {
        return Promise.reject(
          ApplicationFailure.create({
            type: 'rate_limited',
            message: 'rate_limited',
            details: [{ code: 'rate_limited', retryAt: resetAt }],
          }),
        );
      }
      return x(input);
    };
    const limited = await readKeywordDms(query(next(first)));
    assert.equal(ids([limited]).size, 100, 'the page read before the 429 is kept');
    assert.equal(limited.newestId, first.newestId, 'the cursor stays');
    assert.equal(limited.backfill, undefined);

    const callsBefore = world.calls.length;
    nowMs += 60_000;
    const skipped = await readKeywordDms(query(next(limited)));
    assert.equal(world.calls.length, callsBefore, 'X is not asked before the reset');
    assert.equal(skipped.newestId, first.newestId);

    nowMs = Date.parse(resetAt) + 1_001;
    const after = await readKeywordDms(query(next(skipped)));
    assert.equal(ids([after]).size, 150, 'the rest is read after the reset');
  });

  it('keeps the new DMs and the backfill when reading the backfill fails', async () => {
    const world = fakeX([dm(0)]);
    const failures: unknown[] = [];
    const { readKeywordDms } = createKeywordDmReader(world.x, Date.now, (error) =>
      failures.push(error),
    );
    const first = await readKeywordDms(query());
    world.events.push(...Array.from({ length: 600 }, (_, n) => dm(1 + n)));
    const burst = await readKeywordDms(query(next(first)));
    assert.ok(burst.backfill, 'a backfill is left');

    const fresh = dm(5_000);
    world.events.push(fresh);
    const inner = world.x.xListAccountDmEvents;
    world.x.xListAccountDmEvents = (input) =>
      input.paginationToken === burst.backfill?.paginationToken
        ? Promise.reject(new Error('service_unavailable'))
        : inner(input);
    const read = await readKeywordDms(query(next(burst)));
    assert.deepEqual([...ids([read])], [fresh.id]);
    assert.equal(read.newestId, fresh.id, 'the cursor moves past the new DM');
    assert.deepEqual(read.backfill, burst.backfill, 'the backfill is kept for a later poll');
    assert.equal(failures.length, 1);
  });
});
