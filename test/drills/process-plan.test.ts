/** The process drills' plans and verdicts: kill moments, restart moments, replicas' shared limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  killMoments,
  replicaFor,
  restartPlan,
  sharedLimitFailures,
  shortLives,
} from '../../drills/process-plan';

const killOptions = { kills: 7, sends: 240, maxDelayMs: 500 };

describe('killMoments', () => {
  it('draws one moment in each equal stretch of the send, ascending, never at 0', () => {
    const moments = killMoments(7, killOptions);
    assert.equal(moments.length, 7);
    const stretch = 239 / 7;
    for (const [i, moment] of moments.entries()) {
      assert.ok(moment.afterDms >= 1 + Math.floor(i * stretch), JSON.stringify(moment));
      assert.ok(moment.afterDms <= 1 + Math.floor((i + 1) * stretch), JSON.stringify(moment));
      assert.ok(moment.delayMs >= 0 && moment.delayMs < 500);
    }
    const thresholds = moments.map((m) => m.afterDms);
    assert.deepEqual(
      thresholds,
      [...thresholds].sort((a, b) => a - b),
    );
    assert.ok(thresholds.every((t) => t >= 1 && t < 240));
  });

  it('replays the same moments for the same seed and others for another seed', () => {
    assert.deepEqual(killMoments(42, killOptions), killMoments(42, killOptions));
    assert.notDeepEqual(killMoments(42, killOptions), killMoments(43, killOptions));
  });

  it('refuses a negative count and more kills than a send has moments', () => {
    assert.throws(() => killMoments(1, { ...killOptions, kills: -1 }));
    assert.throws(() => killMoments(1, { ...killOptions, sends: 7 }));
  });
});

describe('shortLives', () => {
  it('gives seeded lives within their bounds', () => {
    const lives = shortLives(3, 13, 300, 2500);
    assert.equal(lives.length, 13);
    assert.ok(lives.every((ms) => ms >= 300 && ms < 2500));
    assert.ok(new Set(lives).size >= 10, 'lives are spread');
    assert.deepEqual(shortLives(3, 13, 300, 2500), lives);
    assert.throws(() => shortLives(3, 1, 2500, 300));
  });
});

describe('restartPlan', () => {
  it('restarts Temporal in the first half and PostgreSQL in the second, briefly', () => {
    for (const seed of [1, 2, 3, 99, 12345]) {
      const plan = restartPlan(seed, 240);
      assert.ok(plan.temporalAfterDms >= 24 && plan.temporalAfterDms < 96, JSON.stringify(plan));
      assert.ok(plan.postgresAfterDms >= 132 && plan.postgresAfterDms < 204, JSON.stringify(plan));
      assert.ok(plan.temporalAfterDms < plan.postgresAfterDms);
      for (const down of [plan.temporalDownMs, plan.postgresDownMs]) {
        assert.ok(down >= 500 && down < 3000);
      }
    }
  });

  it('is seeded', () => {
    assert.deepEqual(restartPlan(5, 240), restartPlan(5, 240));
    assert.notDeepEqual(restartPlan(5, 240), restartPlan(6, 240));
  });

  it('needs a send long enough to restart in', () => {
    assert.throws(() => restartPlan(1, 5));
  });
});

describe('replicaFor', () => {
  it('alternates requests between the replicas', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => replicaFor(['a', 'b'], i)),
      ['a', 'b', 'a', 'b', 'a'],
    );
    assert.throws(() => replicaFor([], 0));
  });
});

describe('sharedLimitFailures', () => {
  const answers = (ok: number, refused: number) => [
    ...Array<number>(ok).fill(200),
    ...Array<number>(refused).fill(429),
  ];

  it('holds when exactly the limit got through and the rest were refused with 429', () => {
    assert.deepEqual(sharedLimitFailures(answers(30, 10), 30, 2), []);
  });

  it('fails when each replica counted on its own (the limit times the replicas let through)', () => {
    const failures = sharedLimitFailures(answers(40, 0), 30, 2);
    assert.equal(failures.length, 2);
    assert.match(failures[0] ?? '', /40 requests with one key passed a limit of 30\/min/);
    assert.match(failures[1] ?? '', /no request over the limit was refused/);
  });

  it('fails when requests within the limit were refused', () => {
    assert.match(sharedLimitFailures(answers(25, 15), 30, 2)[0] ?? '', /only 25 of the 30/);
  });

  it('names answers that are neither success nor 429', () => {
    const failures = sharedLimitFailures([...answers(30, 9), 500], 30, 2);
    assert.match(failures.join(' '), /neither 2xx nor 429 \(500\)/);
  });
});
