/**
 * Rate budget's pure parts (bench/rate-budget-figures.ts): what one list endpoint's first rate
 * window held of the reads, the 429s that earlier answers had announced, and the figures. The
 * measurement itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  avoidable429s,
  firstWindowUse,
  rateBudgetFigures,
  type ListBudget,
  type ListRead,
} from '../../bench/rate-budget-figures';
import { checkFigure } from '../../bench/report';

const WINDOW = 900_000;
const reposters: ListBudget = {
  list: 'reposters',
  listJa: 'リポストしたユーザー',
  path: /^\/2\/tweets\/[^/]+\/retweeted_by$/,
  requestsPerWindow: 3,
  pageSize: 2,
};
const page = (atMs: number, ids: string[], status = 200): ListRead => ({
  path: '/2/tweets/1860000000000000001/retweeted_by',
  status,
  atMs,
  ids,
});

describe('the first window of a list endpoint', () => {
  it('counts distinct items read, a page read twice once', () => {
    const use = firstWindowUse(
      [page(1_000, ['a', 'b']), page(61_000, ['a', 'b']), page(62_000, ['c', 'd'])],
      reposters,
      WINDOW,
      100,
    );
    assert.equal(use.requests, 3);
    assert.equal(use.entries, 4);
    assert.equal(use.itemsRead, 6);
    assert.equal(use.allowed, 6);
    assert.equal(use.use, 4 / 6);
  });

  it('starts at the first request and leaves out reads after the window', () => {
    const use = firstWindowUse(
      [page(5_000, ['a', 'b']), page(5_000 + WINDOW - 1, ['c']), page(5_000 + WINDOW, ['e'])],
      reposters,
      WINDOW,
      100,
    );
    assert.equal(use.startMs, 5_000);
    assert.equal(use.requests, 2);
    assert.equal(use.entries, 3);
  });

  it('counts refusals as requests that read nothing', () => {
    const use = firstWindowUse([page(0, ['a', 'b']), page(1, [], 429)], reposters, WINDOW, 100);
    assert.equal(use.requests, 2);
    assert.equal(use.refused, 1);
    assert.equal(use.entries, 2);
  });

  it('ignores other endpoints', () => {
    const followers = { ...page(0, ['x', 'y']), path: '/2/users/1/followers' };
    const use = firstWindowUse([followers, page(10, ['a'])], reposters, WINDOW, 100);
    assert.equal(use.requests, 1);
    assert.equal(use.entries, 1);
    assert.equal(use.startMs, 10);
  });

  it('allows no more than the list holds when a window could read more', () => {
    const use = firstWindowUse([page(0, ['a', 'b'])], reposters, WINDOW, 4);
    assert.equal(use.allowed, 4);
    assert.equal(use.use, 0.5);
  });

  it('reads nothing when the endpoint was never called', () => {
    const use = firstWindowUse([], reposters, WINDOW, 100);
    assert.equal(use.entries, 0);
    assert.equal(use.use, 0);
  });
});

describe('avoidable 429s', () => {
  it('counts a 429 after an earlier answer of the same endpoint in its window', () => {
    const log = [
      { endpoint: 'posts.retweeted_by', status: 200, atMs: 0 },
      { endpoint: 'posts.retweeted_by', status: 429, atMs: 10 },
      { endpoint: 'posts.retweeted_by', status: 429, atMs: 20 },
    ];
    assert.equal(avoidable429s(log, WINDOW), 2);
  });

  it('does not count a 429 that opened its window, or one on another endpoint’s first call', () => {
    const log = [
      { endpoint: 'posts.retweeted_by', status: 429, atMs: 0 },
      { endpoint: 'posts.retweeted_by', status: 200, atMs: WINDOW + 1 },
      { endpoint: 'users.followers', status: 429, atMs: WINDOW + 2 },
      { endpoint: 'posts.retweeted_by', status: 429, atMs: 2 * WINDOW + 1 },
    ];
    assert.equal(avoidable429s(log, WINDOW), 0);
  });

  it('orders the log by time first', () => {
    const log = [
      { endpoint: 'posts.liking_users', status: 429, atMs: 50 },
      { endpoint: 'posts.liking_users', status: 200, atMs: 0 },
    ];
    assert.equal(avoidable429s(log, WINDOW), 1);
  });

  it('finds none where nothing was refused', () => {
    assert.equal(avoidable429s([{ status: 200, atMs: 0 }], WINDOW), 0);
  });
});

describe('the rate budget figures', () => {
  const use = (entries: number) => ({
    ...firstWindowUse(
      Array.from({ length: entries / 2 }, (_, i) => page(i, [`u${2 * i}`, `u${2 * i + 1}`])),
      reposters,
      WINDOW,
      100,
    ),
    listJa: reposters.listJa,
  });

  it('pass a list whose window was read to 95 % or more, and no avoidable 429', () => {
    const figures = rateBudgetFigures([use(6)], 0, { refused: 0, setting: 'test' }).map(
      checkFigure,
    );
    assert.equal(figures.length, 2);
    assert.equal(figures[0]?.name, 'X read budget used, reposters');
    assert.equal(figures[0]?.value, 1);
    assert.equal(figures[0]?.met, true);
    assert.match(
      figures[0]?.detail ?? '',
      /6 distinct reposters read in one 15-min window \/ 6 a window allows/,
    );
    assert.equal(figures[1]?.name, 'X 429s Kuji could have avoided');
    assert.equal(figures[1]?.met, true);
  });

  it('miss a window read below 95 % and any avoidable 429', () => {
    const figures = rateBudgetFigures([use(4)], 1, { refused: 3, setting: 'test' }).map(
      checkFigure,
    );
    assert.equal(figures[0]?.met, false);
    assert.equal(figures[1]?.value, 1);
    assert.equal(figures[1]?.met, false);
    assert.match(figures[1]?.detail ?? '', /3 429s in all/);
  });
});
