/**
 * Paged reads honour X's rate-limit headers: they wait for the reset instead of calling again,
 * and the emulator's request log is the proof.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { xErrorFromDetails } from '../../domain/x-errors';
import type { RequestLogEntry } from '../../emulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  baseScenario,
  CAMPAIGN_POST_ID,
  createHarness,
  runActivity,
  type Harness,
} from './support';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');
const reposterUsernames = ['dave', 'carol', 'bob', 'alice'];

function reposterRequests(harness: Harness): RequestLogEntry[] {
  return harness.emulator.requests({ endpoint: 'posts.retweeted_by' });
}

describe('paged reads under rate limits', () => {
  let database: TestDatabase;
  const harnesses: Harness[] = [];

  before(async () => {
    database = await createTestDatabase();
  });

  after(async () => {
    for (const harness of harnesses) await harness.emulator.close();
    await database?.close();
  });

  async function harnessWith(
    limit: number,
    windowSeconds: number,
    options: Parameters<typeof createHarness>[2] = {},
    frozen = true,
  ) {
    const scenario = baseScenario({
      // Real time: the activity reads wall time, so the emulator must not be shifted.
      clock: frozen ? { start: '2026-11-22T03:00:00.000Z', frozen } : undefined,
      rateLimits: { 'posts.retweeted_by': { limit, windowSeconds } },
    });
    const harness = await createHarness(database.db, scenario, options);
    harnesses.push(harness);
    return harness;
  }

  it('waits for the reset when the window is spent instead of calling again', async () => {
    const harness = await harnessWith(2, 60, { rateLimitMarginMs: 0 });
    const run = await runActivity(() =>
      harness.activities.xListReposters({
        accountId: harness.accountId,
        postId: CAMPAIGN_POST_ID,
        maxResults: 1,
        maxPages: 10,
      }),
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(
      run.result?.items.map((u) => u.username),
      reposterUsernames,
    );
    assert.equal(run.result?.complete, true);

    const requests = reposterRequests(harness);
    assert.deepEqual(
      requests.map((r) => r.status),
      [200, 200, 200, 200],
      'one request per page, none refused',
    );
    assert.deepEqual(
      requests.map((r) => r.atMs - T0),
      [0, 0, 60_000, 60_000],
      'the third page waited for the reset of the first window',
    );
  });

  it('waits in real time when the window is short', async () => {
    const harness = await harnessWith(1, 1, { rateLimitMarginMs: 20, clock: undefined }, false);
    const run = await runActivity(() =>
      harness.activities.xListReposters({
        accountId: harness.accountId,
        postId: CAMPAIGN_POST_ID,
        maxResults: 2,
        maxPages: 10,
      }),
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(
      run.result?.items.map((u) => u.username),
      reposterUsernames,
    );
    const requests = reposterRequests(harness);
    assert.deepEqual(
      requests.map((r) => r.status),
      [200, 200],
    );
    const [first, second] = requests;
    assert.ok(first && second);
    const firstReset = Math.ceil((first.atMs + 1000) / 1000) * 1000;
    assert.ok(
      second.atMs >= firstReset,
      `second page at ${second.atMs}, before the reset ${firstReset}`,
    );
  });

  it('waits out a 429 from a spent window and retries the same page once', async () => {
    const harness = await harnessWith(75, 900, { rateLimitMarginMs: 0 });
    harness.emulator.injectFault({
      endpoint: 'posts.retweeted_by',
      sequence: ['pass', 'rate_limited'],
    });
    const run = await runActivity(() =>
      harness.activities.xListReposters({
        accountId: harness.accountId,
        postId: CAMPAIGN_POST_ID,
        maxResults: 2,
        maxPages: 10,
      }),
    );
    assert.equal(run.error, undefined);
    assert.deepEqual(
      run.result?.items.map((u) => u.username),
      reposterUsernames,
    );
    const requests = reposterRequests(harness);
    assert.deepEqual(
      requests.map((r) => r.status),
      [200, 429, 200],
    );
    assert.equal(
      requests[2]?.atMs,
      T0 + 900_000,
      'the retry came exactly at the reset X announced',
    );
  });

  it('hands a long wait to Temporal as a retry at the reset, then resumes from the heartbeat checkpoint', async () => {
    const harness = await harnessWith(2, 60, {
      rateLimitMarginMs: 0,
      maxInlineRateLimitWaitMs: 10_000,
    });
    const input = {
      accountId: harness.accountId,
      postId: CAMPAIGN_POST_ID,
      maxResults: 1,
      maxPages: 10,
    };
    const first = await runActivity(() => harness.activities.xListReposters(input));

    assert.ok(first.error instanceof ApplicationFailure);
    assert.equal(first.error.type, 'rate_limited');
    assert.equal(first.error.nonRetryable, false);
    assert.equal(first.error.nextRetryDelay, 60_000);
    assert.equal(
      xErrorFromDetails(first.error.details)?.retryAt,
      new Date(T0 + 60_000).toISOString(),
    );
    const checkpoint = first.heartbeats.at(-1) as { items: unknown[]; nextToken?: string };
    assert.equal(checkpoint.items.length, 2);
    assert.ok(checkpoint.nextToken);

    harness.emulator.clock.advance(60_000);
    const second = await runActivity(() => harness.activities.xListReposters(input), {
      attempt: 2,
      heartbeatDetails: checkpoint,
    });
    assert.equal(second.error, undefined);
    assert.deepEqual(
      second.result?.items.map((u) => u.username),
      reposterUsernames,
    );
    assert.equal(
      reposterRequests(harness).length,
      4,
      'pages already read were not requested again',
    );
  });
});
