/** The process drills' plans and verdicts: kill moments, restart moments, replicas' shared limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  killMoments,
  replicaFor,
  restartPlan,
  sharedLimitFailures,
} from '../../drills/process-plan';

const killOptions = { kills: 20, maxAfterFirstDmMs: 1500, minUptimeMs: 500, maxUptimeMs: 3000 };

describe('killMoments', () => {
  it('gives one moment per kill, each within its bounds', () => {
    const moments = killMoments(7, killOptions);
    assert.equal(moments.length, 20);
    for (const moment of moments) {
      assert.ok(moment.afterFirstDmMs >= 0 && moment.afterFirstDmMs < 1500);
      assert.ok(moment.uptimeMs >= 500 && moment.uptimeMs < 3000);
    }
  });

  it('replays the same moments for the same seed and others for another seed', () => {
    assert.deepEqual(killMoments(42, killOptions), killMoments(42, killOptions));
    assert.notDeepEqual(killMoments(42, killOptions), killMoments(43, killOptions));
  });

  it('spreads the moments instead of repeating one', () => {
    const uptimes = new Set(killMoments(1, killOptions).map((m) => m.uptimeMs));
    assert.ok(uptimes.size >= 15, `only ${uptimes.size} distinct uptimes`);
  });

  it('refuses a negative count and empty bounds', () => {
    assert.throws(() => killMoments(1, { ...killOptions, kills: -1 }));
    assert.throws(() => killMoments(1, { ...killOptions, minUptimeMs: 3000 }));
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
