import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  decideInstantWin,
  drawWinners,
  entriesDigest,
  entryRoll,
  instantWinProbability,
  newDrawSeed,
  verifyDraw,
} from '../../domain/lottery';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const seedFor = (label: string) => sha256Hex(`seed:${label}`);
const entryIdsOf = (count: number) =>
  Array.from({ length: count }, (_, i) => `${1_900_000_000 + i * 7}`);

/** Deterministic shuffle for "any input order" checks, independent of the module under test. */
function reordered(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => sha256Hex(a).localeCompare(sha256Hex(b)));
}

describe('entriesDigest', () => {
  it('hashes the sorted, newline-joined ids and counts them', () => {
    const ids = ['300', '1000', '20'];
    assert.deepEqual(entriesDigest(ids), {
      digest: sha256Hex(['1000', '20', '300'].join('\n')),
      entryCount: 3,
    });
  });

  it('does not depend on input order but changes with the set', () => {
    const ids = entryIdsOf(50);
    assert.deepEqual(entriesDigest(reordered(ids)), entriesDigest(ids));
    assert.notEqual(entriesDigest(ids.slice(1)).digest, entriesDigest(ids).digest);
  });

  it('refuses duplicate ids and ids containing a line break', () => {
    assert.throws(() => entriesDigest(['1', '2', '1']), /appears twice/);
    assert.throws(() => entriesDigest(['1\n2']), /line break/);
  });
});

describe('drawWinners', () => {
  const entryIds = entryIdsOf(1000);
  const seed = seedFor('spring');

  it('is reproducible for the same seed and entries in any order', () => {
    const first = drawWinners({ seed, entryIds, winners: 10, alternates: 5 });
    const again = drawWinners({ seed, entryIds: reordered(entryIds), winners: 10, alternates: 5 });
    assert.deepEqual(again, first);
    assert.equal(first.seed, seed);
    assert.deepEqual(
      { digest: first.digest, entryCount: first.entryCount },
      entriesDigest(entryIds),
    );
  });

  it('picks distinct entrants, winners apart from alternates', () => {
    const draw = drawWinners({ seed, entryIds, winners: 10, alternates: 5 });
    assert.equal(draw.winners.length, 10);
    assert.equal(draw.alternates.length, 5);
    const picked = [...draw.winners, ...draw.alternates];
    assert.equal(new Set(picked).size, 15);
    const pool = new Set(entryIds);
    assert.ok(picked.every((id) => pool.has(id)));
  });

  it('gives different winners for a different seed', () => {
    const a = drawWinners({ seed, entryIds, winners: 10, alternates: 0 });
    const b = drawWinners({ seed: seedFor('autumn'), entryIds, winners: 10, alternates: 0 });
    assert.notDeepEqual(a.winners, b.winners);
  });

  it('keeps the winners when more alternates are asked for', () => {
    const few = drawWinners({ seed, entryIds, winners: 3, alternates: 1 });
    const many = drawWinners({ seed, entryIds, winners: 3, alternates: 20 });
    assert.deepEqual(many.winners, few.winners);
    assert.deepEqual(many.alternates.slice(0, 1), few.alternates);
  });

  it('follows the published algorithm for the first pick', () => {
    const ids = ['b', 'a', 'c', 'e', 'd'];
    const digest = sha256Hex('a\nb\nc\nd\ne');
    const key = createHash('sha256')
      .update(seed + digest)
      .digest();
    const firstBlock = createHash('sha256')
      .update(Buffer.concat([key, Buffer.alloc(8)]))
      .digest();
    const firstWord = firstBlock.readUInt32BE(0);
    assert.ok(
      firstWord < 2 ** 32 - (2 ** 32 % 5),
      'this seed needs no rejection on the first word',
    );
    const draw = drawWinners({ seed, entryIds: ids, winners: 1, alternates: 0 });
    assert.deepEqual(draw.winners, [['a', 'b', 'c', 'd', 'e'][firstWord % 5]]);
  });

  it('picks every entrant equally often across seeds', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const draws = 5000;
    const wins = new Map(ids.map((id) => [id, 0]));
    for (let i = 0; i < draws; i++) {
      const [winner] = drawWinners({
        seed: seedFor(String(i)),
        entryIds: ids,
        winners: 1,
        alternates: 0,
      }).winners;
      wins.set(winner as string, (wins.get(winner as string) ?? 0) + 1);
    }
    const expected = draws / ids.length;
    const fiveSigma = 5 * Math.sqrt(draws * 0.2 * 0.8);
    for (const [id, count] of wins) {
      assert.ok(Math.abs(count - expected) < fiveSigma, `${id} won ${count} of ${draws}`);
    }
  });

  it('puts every entrant in every place equally often across seeds', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const draws = 4000;
    const placements = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const draw = drawWinners({
        seed: seedFor(`place-${i}`),
        entryIds: ids,
        winners: 2,
        alternates: 2,
      });
      [...draw.winners, ...draw.alternates].forEach((id, place) => {
        placements.set(`${id}@${place}`, (placements.get(`${id}@${place}`) ?? 0) + 1);
      });
    }
    const expected = draws / ids.length;
    const fiveSigma = 5 * Math.sqrt(draws * 0.25 * 0.75);
    for (const id of ids) {
      for (let place = 0; place < ids.length; place++) {
        const count = placements.get(`${id}@${place}`) ?? 0;
        assert.ok(Math.abs(count - expected) < fiveSigma, `${id} in place ${place}: ${count}`);
      }
    }
  });

  it('gives everyone a place when there are fewer entries than places, winners first', () => {
    const draw = drawWinners({ seed, entryIds: ['x', 'y', 'z'], winners: 2, alternates: 5 });
    assert.equal(draw.winners.length, 2);
    assert.equal(draw.alternates.length, 1);
    assert.deepEqual([...draw.winners, ...draw.alternates].sort(), ['x', 'y', 'z']);
    const empty = drawWinners({ seed, entryIds: [], winners: 2, alternates: 1 });
    assert.deepEqual([empty.winners, empty.alternates, empty.entryCount], [[], [], 0]);
  });

  it('accepts an upper-case seed as the same lower-case seed', () => {
    const lower = drawWinners({ seed, entryIds, winners: 3, alternates: 0 });
    const upper = drawWinners({ seed: seed.toUpperCase(), entryIds, winners: 3, alternates: 0 });
    assert.deepEqual(upper, lower);
  });

  it('rejects a non-hex seed, negative counts and duplicate entries', () => {
    assert.throws(
      () => drawWinners({ seed: 'not hex', entryIds, winners: 1, alternates: 0 }),
      RangeError,
    );
    assert.throws(
      () => drawWinners({ seed: 'abc', entryIds, winners: 1, alternates: 0 }),
      RangeError,
    );
    assert.throws(() => drawWinners({ seed, entryIds, winners: -1, alternates: 0 }), RangeError);
    assert.throws(
      () => drawWinners({ seed, entryIds: ['1', '1'], winners: 1, alternates: 0 }),
      RangeError,
    );
  });
});

describe('verifyDraw', () => {
  const entryIds = entryIdsOf(200);
  const published = drawWinners({ seed: seedFor('verify'), entryIds, winners: 5, alternates: 3 });

  it('confirms a genuine draw from the entries in any order', () => {
    assert.deepEqual(verifyDraw(published, reordered(entryIds)), { ok: true, problems: [] });
  });

  it('detects a swapped winner', () => {
    const outsider = entryIds.find(
      (id) => ![...published.winners, ...published.alternates].includes(id),
    );
    const tampered = { ...published, winners: [outsider as string, ...published.winners.slice(1)] };
    const result = verifyDraw(tampered, entryIds);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((problem) => problem.code),
      ['winners_mismatch'],
    );
  });

  it('detects reordered alternates', () => {
    const tampered = { ...published, alternates: [...published.alternates].reverse() };
    assert.deepEqual(
      verifyDraw(tampered, entryIds).problems.map((problem) => problem.code),
      ['alternates_mismatch'],
    );
  });

  it('detects an entry list that differs from the one drawn from', () => {
    const result = verifyDraw(published, entryIds.slice(0, -1));
    const codes = result.problems.map((problem) => problem.code);
    assert.equal(result.ok, false);
    assert.ok(codes.includes('entry_count_mismatch'));
    assert.ok(codes.includes('digest_mismatch'));
  });

  it('explains problems in Japanese and English', () => {
    const result = verifyDraw({ ...published, seed: 'zz' }, entryIds);
    assert.equal(result.ok, false);
    const [problem] = result.problems;
    assert.equal(problem?.code, 'invalid_seed');
    assert.match(problem?.ja ?? '', /シード/);
    assert.match(problem?.en ?? '', /seed/);
    assert.equal(
      verifyDraw(published, [...entryIds, entryIds[0] as string]).problems[0]?.code,
      'duplicate_entry_id',
    );
  });
});

describe('newDrawSeed', () => {
  it('formats 32 bytes as 64 hex digits usable as a draw seed', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 8);
    const seed = newDrawSeed(bytes);
    assert.equal(seed, Buffer.from(bytes).toString('hex'));
    assert.match(seed, /^[0-9a-f]{64}$/);
    assert.equal(drawWinners({ seed, entryIds: ['1', '2'], winners: 1, alternates: 0 }).seed, seed);
  });

  it('refuses any other number of bytes', () => {
    assert.throws(() => newDrawSeed(new Uint8Array(16)), RangeError);
  });
});

describe('instantWinProbability', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  const tenHoursLater = new Date('2026-05-01T10:00:00Z');

  it('is zero when the stock is gone', () => {
    const p = instantWinProbability({
      remainingStock: 0,
      now,
      endAt: tenHoursLater,
      expectedEntriesPerHour: 10,
      baseOdds: 0.5,
    });
    assert.equal(p, 0);
  });

  it('lowers the odds so that the stock lasts the remaining time', () => {
    // 100 entries an hour for 10 hours = 1,000 expected entries sharing 10 prizes.
    const p = instantWinProbability({
      remainingStock: 10,
      now,
      endAt: tenHoursLater,
      expectedEntriesPerHour: 100,
      baseOdds: 0.1,
    });
    assert.equal(p, 0.01);
  });

  it('keeps the designed odds when stock is plentiful, and after the end', () => {
    const plenty = instantWinProbability({
      remainingStock: 500,
      now,
      endAt: tenHoursLater,
      expectedEntriesPerHour: 100,
      baseOdds: 0.1,
    });
    assert.equal(plenty, 0.1);
    const late = instantWinProbability({
      remainingStock: 1,
      now: tenHoursLater,
      endAt: now,
      expectedEntriesPerHour: 100,
      baseOdds: 0.1,
    });
    assert.equal(late, 0.1);
  });

  it('never exceeds 1', () => {
    const p = instantWinProbability({
      remainingStock: 50,
      now,
      endAt: tenHoursLater,
      expectedEntriesPerHour: 1,
      baseOdds: 1,
    });
    assert.equal(p, 1);
  });

  it('rejects odds outside [0, 1] and invalid dates', () => {
    const input = { remainingStock: 1, now, endAt: tenHoursLater, expectedEntriesPerHour: 1 };
    assert.throws(() => instantWinProbability({ ...input, baseOdds: 1.5 }), RangeError);
    assert.throws(() => instantWinProbability({ ...input, baseOdds: NaN }), RangeError);
    assert.throws(
      () => instantWinProbability({ ...input, now: new Date(NaN), baseOdds: 0.5 }),
      RangeError,
    );
  });

  it('spreads wins over the whole campaign when entries arrive as forecast', () => {
    const seed = seedFor('instant');
    const durationMs = 10 * 3_600_000;
    const entries = 2000;
    let stock = 40;
    let lastWinAt = 0;
    let winsInFirstHalf = 0;
    for (let i = 0; i < entries; i++) {
      const elapsed = (i / entries) * durationMs;
      const probability = instantWinProbability({
        remainingStock: stock,
        now: new Date(now.getTime() + elapsed),
        endAt: tenHoursLater,
        expectedEntriesPerHour: 200,
        baseOdds: 0.5,
      });
      if (decideInstantWin({ probability, roll: entryRoll(seed, `entry-${i}`) })) {
        stock -= 1;
        lastWinAt = elapsed;
        if (elapsed < durationMs / 2) winsInFirstHalf += 1;
      }
    }
    assert.ok(stock >= 0);
    assert.ok(stock <= 8, `most prizes are given away, ${stock} left`);
    assert.ok(winsInFirstHalf <= 28, `first half took ${winsInFirstHalf} of 40 prizes`);
    assert.ok(lastWinAt >= durationMs * 0.8, `last win at ${lastWinAt / 3_600_000} h of 10 h`);
  });
});

describe('decideInstantWin', () => {
  it('wins when the roll is below the probability', () => {
    assert.equal(decideInstantWin({ probability: 0.3, roll: 0.29 }), true);
    assert.equal(decideInstantWin({ probability: 0.3, roll: 0.3 }), false);
    assert.equal(decideInstantWin({ probability: 0, roll: 0 }), false);
    assert.equal(decideInstantWin({ probability: 1, roll: 0.999999 }), true);
  });

  it('rejects rolls outside [0, 1)', () => {
    assert.throws(() => decideInstantWin({ probability: 0.5, roll: 1 }), RangeError);
    assert.throws(() => decideInstantWin({ probability: 0.5, roll: -0.1 }), RangeError);
  });
});

describe('entryRoll', () => {
  const seed = seedFor('rolls');

  it('is the same for the same seed and entry, and differs across entries and seeds', () => {
    assert.equal(entryRoll(seed, 'entry-1'), entryRoll(seed, 'entry-1'));
    assert.notEqual(entryRoll(seed, 'entry-1'), entryRoll(seed, 'entry-2'));
    assert.notEqual(entryRoll(seed, 'entry-1'), entryRoll(seedFor('other'), 'entry-1'));
  });

  it('is the first 53 bits of SHA-256(seed, newline, entry id) as a fraction', () => {
    const hash = createHash('sha256').update(`${seed}\nentry-1`).digest();
    const expected = Number(hash.readBigUInt64BE(0) >> 11n) / 2 ** 53;
    assert.equal(entryRoll(seed, 'entry-1'), expected);
  });

  it('is spread evenly over [0, 1)', () => {
    const rolls = Array.from({ length: 10_000 }, (_, i) => entryRoll(seed, `entry-${i}`));
    assert.ok(rolls.every((roll) => roll >= 0 && roll < 1));
    const mean = rolls.reduce((sum, roll) => sum + roll, 0) / rolls.length;
    assert.ok(Math.abs(mean - 0.5) < 0.015, `mean ${mean}`);
    const belowTenth = rolls.filter((roll) => roll < 0.1).length;
    assert.ok(Math.abs(belowTenth - 1000) < 150, `${belowTenth} rolls below 0.1`);
  });
});
