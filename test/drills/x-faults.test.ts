/** The x-faults drill's plan and verdicts: fault shares, the audience, refusals, DMs per day. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector } from '../../emulator/fault-injector';
import {
  dmSendFaults,
  dmsPerLocalDay,
  planAudience,
  refusalFailures,
  refusalVerdicts,
  sequentialRates,
} from '../../drills/x-fault-plan';

describe('sequentialRates', () => {
  it('turns shares of all requests into the rates of rules tried one after another', () => {
    const rates = sequentialRates([
      { fault: 'a', share: 0.2 },
      { fault: 'b', share: 0.1 },
    ]);
    assert.equal(rates[0], 0.2);
    assert.ok(Math.abs((rates[1] ?? 0) - 0.125) < 1e-12, String(rates[1]));
  });

  it('makes the emulator answer each fault on its share of requests', () => {
    const rates = sequentialRates(dmSendFaults);
    const injector = new FaultInjector(11);
    dmSendFaults.forEach((fault, i) =>
      injector.add({ endpoint: 'dm.send', fault: fault.fault as 'timeout', rate: rates[i] }),
    );
    const counts = new Map<string, number>();
    const requests = 40_000;
    for (let n = 0; n < requests; n += 1) {
      const decision = injector.decide('dm.send', undefined);
      const key = typeof decision?.spec === 'string' ? decision.spec : 'pass';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const share = (key: string) => (counts.get(key) ?? 0) / requests;
    const fivexx =
      share('server_error') +
      share('bad_gateway') +
      share('service_unavailable_text') +
      share('service_unavailable');
    assert.ok(Math.abs(fivexx - 0.2) < 0.01, `5xx share ${fivexx}`);
    assert.ok(Math.abs(share('timeout') - 0.1) < 0.01, `timeout share ${share('timeout')}`);
  });

  it('refuses shares that leave nothing to pass', () => {
    assert.throws(() =>
      sequentialRates([
        { fault: 'a', share: 0.6 },
        { fault: 'b', share: 0.4 },
      ]),
    );
  });
});

describe('planAudience', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `u${i}`);
  const perKind = { closed: 2, following: 1, blocked: 1, suspended: 1 };

  it('picks the same refusers and bursts for the same seed, others for another', () => {
    const a = planAudience(ids, { seed: 5, perKind, burstCount: 3 });
    const b = planAudience(ids, { seed: 5, perKind, burstCount: 3 });
    const c = planAudience(ids, { seed: 6, perKind, burstCount: 3 });
    assert.deepEqual([...a.refusers], [...b.refusers]);
    assert.deepEqual(a.bursts, b.bursts);
    assert.notDeepEqual([...a.refusers], [...c.refusers]);
  });

  it('has the asked number of each kind and bursts of 3–6 within the sends, in order', () => {
    const plan = planAudience(ids, { seed: 9, perKind, burstCount: 4 });
    const kinds = [...plan.refusers.values()];
    assert.equal(kinds.filter((k) => k === 'closed').length, 2);
    assert.equal(plan.refusers.size, 5);
    assert.equal(plan.bursts.length, 4);
    for (const burst of plan.bursts) {
      assert.ok(burst.length >= 3 && burst.length <= 6);
      assert.ok(burst.afterSent >= 1 && burst.afterSent < 45);
    }
    const after = plan.bursts.map((b) => b.afterSent);
    assert.deepEqual(
      after,
      [...after].sort((x, y) => x - y),
    );
  });
});

describe('refusalVerdicts', () => {
  const send = (seq: number, id: string, status: number, fault?: string) => ({
    seq,
    path: `/2/dm_conversations/with/${id}/messages`,
    status,
    ...(fault ? { fault } : {}),
  });

  it('passes a refusal answered once, after faults and 429s that X said nothing final in', () => {
    const verdicts = refusalVerdicts(
      [
        send(1, 'a', 500, 'server_error'),
        send(2, 'a', 429),
        send(3, 'a', 0, 'timeout'),
        send(4, 'a', 403),
        send(5, 'b', 201),
      ],
      ['a'],
    );
    assert.deepEqual(
      verdicts.map((v) => [v.refusals, v.retriesAfterRefusal]),
      [[1, 0]],
    );
    assert.deepEqual(refusalFailures(verdicts), []);
  });

  it('names a refusal sent again, and a refuser X never refused', () => {
    const verdicts = refusalVerdicts(
      [send(1, 'a', 403), send(2, 'a', 500, 'server_error'), send(3, 'c', 201)],
      ['a', 'c'],
    );
    assert.deepEqual(
      verdicts.map((v) => [v.recipientId, v.refusals, v.retriesAfterRefusal]),
      [
        ['a', 1, 1],
        ['c', 0, 0],
      ],
    );
    const failures = refusalFailures(verdicts);
    assert.equal(failures.length, 2);
    assert.match(failures.join('\n'), /a×1 \(403 500\*\)/);
  });

  it('does not mistake another recipient whose id starts the same', () => {
    const [verdict] = refusalVerdicts([send(1, 'a1', 403), send(2, 'a', 403)], ['a']);
    assert.deepEqual([verdict?.refusals, verdict?.retriesAfterRefusal], [1, 0]);
  });
});

describe('dmsPerLocalDay', () => {
  it('counts the sender’s DMs per day of the time zone, not of UTC', () => {
    const dm = (createdAt: string, senderId = 's') => ({ senderId, createdAt });
    const perDay = dmsPerLocalDay(
      [
        dm('2026-12-03T14:59:59.000Z'), // 23:59:59 in Tokyo
        dm('2026-12-03T15:00:00.000Z'), // midnight in Tokyo: the next day
        dm('2026-12-04T01:00:00.000Z'),
        dm('2026-12-04T01:00:00.000Z', 'other'),
      ],
      's',
      'Asia/Tokyo',
    );
    assert.deepEqual(
      [...perDay],
      [
        ['2026-12-03', 1],
        ['2026-12-04', 2],
      ],
    );
  });
});
