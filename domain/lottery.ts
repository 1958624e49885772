/**
 * Reproducible lottery draws and instant-win odds (DESIGN.md §5 drawing, §1 instant wins).
 *
 * Pure (SHA-256 from ./sha256, no Node built-ins), so any layer may use it; the draw itself runs
 * in an activity, which reads the entries.
 *
 * The draw is publishable and anyone can re-run it from the seed and the entry list:
 *   1. ids  = the entry ids, sorted by UTF-16 code units (JavaScript's default sort), unique;
 *   2. digest = hex SHA-256 of the ids joined with "\n" (UTF-8);
 *   3. key  = SHA-256 of the ASCII text `seed + digest` (both lowercase hex);
 *   4. a stream of 32-bit big-endian words: block i = SHA-256(key ‖ uint64be(i)), 8 words each;
 *   5. an index below n is `word % n` for the first word < 2^32 − (2^32 mod n) (rejection keeps
 *      every index equally likely);
 *   6. a partial Fisher–Yates shuffle of ids: for i = 0, 1, …, swap ids[i] with
 *      ids[i + index below (n − i)]; the first `winners` picks win, the next are alternates in
 *      promotion order.
 * Picks form one sequence, so asking for more alternates never changes who won.
 */
import { readUint32BE, sha256, toHex } from './sha256';

const entrySeparator = '\n';
const seedPattern = /^(?:[0-9a-f]{2})+$/;
const uint32Range = 2 ** 32;

export interface EntriesDigest {
  /** Hex SHA-256 over the sorted, newline-joined entry ids. */
  digest: string;
  entryCount: number;
}

export interface DrawRequest {
  /** Hex seed, kept secret until the draw and published with the result. */
  seed: string;
  entryIds: readonly string[];
  winners: number;
  alternates: number;
}

/** Everything a participant needs to verify the draw. */
export interface PublishedDraw {
  seed: string;
  digest: string;
  entryCount: number;
  winners: string[];
  /** In promotion order: the first alternate replaces the first forfeited win. */
  alternates: string[];
}

export interface DrawProblem {
  code:
    | 'invalid_seed'
    | 'duplicate_entry_id'
    | 'invalid_entry_id'
    | 'entry_count_mismatch'
    | 'digest_mismatch'
    | 'winners_mismatch'
    | 'alternates_mismatch';
  ja: string;
  en: string;
}

export interface DrawVerification {
  ok: boolean;
  problems: DrawProblem[];
}

/** The first entry-list defect that makes a draw ill-defined, if any. */
function entryListProblem(entryIds: readonly string[]): DrawProblem | undefined {
  const seen = new Set<string>();
  for (const id of entryIds) {
    if (id.length === 0 || id.includes(entrySeparator)) {
      return {
        code: 'invalid_entry_id',
        ja: `応募IDが不正です（空、または改行を含む）: ${JSON.stringify(id)}`,
        en: `Entry id is empty or contains a line break: ${JSON.stringify(id)}`,
      };
    }
    if (seen.has(id)) {
      return {
        code: 'duplicate_entry_id',
        ja: `応募IDが重複しています: ${id}（同じ応募を二重に数えると抽選が偏ります）`,
        en: `Entry id ${id} appears twice; counting an entry twice would bias the draw.`,
      };
    }
    seen.add(id);
  }
  return undefined;
}

function sortedEntryIds(entryIds: readonly string[]): string[] {
  const problem = entryListProblem(entryIds);
  if (problem) throw new RangeError(problem.en);
  return [...entryIds].sort();
}

function normalizeSeed(seed: string): string {
  const normalized = seed.toLowerCase();
  if (!seedPattern.test(normalized)) {
    throw new RangeError('seed must be a non-empty hex string with an even number of digits');
  }
  return normalized;
}

function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  }
}

/** Order-independent fingerprint of the entry list, published with the draw. */
export function entriesDigest(entryIds: readonly string[]): EntriesDigest {
  const sorted = sortedEntryIds(entryIds);
  return { digest: toHex(sha256(sorted.join(entrySeparator))), entryCount: sorted.length };
}

/** Counter-mode SHA-256 stream of unbiased indices (steps 4–5 of the header). */
function createIndexStream(key: Uint8Array): (bound: number) => number {
  let counter = 0n;
  let block: Uint8Array = new Uint8Array(0);
  let offset = 0;
  // key ‖ uint64be(counter), the counter rewritten in place for each block.
  const input = new Uint8Array(key.length + 8);
  input.set(key);
  const counterView = new DataView(input.buffer, key.length, 8);
  const nextWord = (): number => {
    if (offset >= block.length) {
      counterView.setBigUint64(0, counter);
      counter += 1n;
      block = sha256(input);
      offset = 0;
    }
    const word = readUint32BE(block, offset);
    offset += 4;
    return word;
  };
  return (bound) => {
    if (!Number.isInteger(bound) || bound < 1 || bound > uint32Range) {
      throw new RangeError(`index bound must be an integer in [1, 2^32], got ${bound}`);
    }
    const acceptBelow = uint32Range - (uint32Range % bound);
    for (;;) {
      const word = nextWord();
      if (word < acceptBelow) return word % bound;
    }
  };
}

/**
 * Draws `winners` then `alternates` from the entries. Same seed and same set of ids give the
 * same result in any input order. When there are fewer entries than requested, everyone is
 * picked: winners first, then alternates.
 */
export function drawWinners(request: DrawRequest): PublishedDraw {
  requireCount(request.winners, 'winners');
  requireCount(request.alternates, 'alternates');
  const seed = normalizeSeed(request.seed);
  const pool = sortedEntryIds(request.entryIds);
  const digest = toHex(sha256(pool.join(entrySeparator)));
  const indexBelow = createIndexStream(sha256(seed + digest));

  const pickCount = Math.min(request.winners + request.alternates, pool.length);
  for (let i = 0; i < pickCount; i++) {
    const j = i + indexBelow(pool.length - i);
    const picked = pool[j] as string;
    pool[j] = pool[i] as string;
    pool[i] = picked;
  }
  const winnerCount = Math.min(request.winners, pickCount);
  return {
    seed,
    digest,
    entryCount: pool.length,
    winners: pool.slice(0, winnerCount),
    alternates: pool.slice(winnerCount, pickCount),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** Re-derives a published draw from the entry list and says what, if anything, disagrees. */
export function verifyDraw(
  published: PublishedDraw,
  entryIds: readonly string[],
): DrawVerification {
  const listProblem = entryListProblem(entryIds);
  if (listProblem) return { ok: false, problems: [listProblem] };
  if (!seedPattern.test(published.seed.toLowerCase())) {
    return {
      ok: false,
      problems: [
        {
          code: 'invalid_seed',
          ja: '公開されたシードが16進数の文字列ではありません。',
          en: 'The published seed is not a hex string.',
        },
      ],
    };
  }

  const problems: DrawProblem[] = [];
  const { digest, entryCount } = entriesDigest(entryIds);
  if (entryCount !== published.entryCount) {
    problems.push({
      code: 'entry_count_mismatch',
      ja: `応募数が一致しません（公開: ${published.entryCount}件、手元: ${entryCount}件）。`,
      en: `Entry count differs (published ${published.entryCount}, given ${entryCount}).`,
    });
  }
  if (digest !== published.digest.toLowerCase()) {
    problems.push({
      code: 'digest_mismatch',
      ja: '応募一覧のダイジェストが公開値と一致しません。抽選対象の応募一覧が異なります。',
      en: 'The entries digest differs from the published one: the entry list is not the same.',
    });
  }
  const redrawn = drawWinners({
    seed: published.seed,
    entryIds,
    winners: published.winners.length,
    alternates: published.alternates.length,
  });
  if (!sameList(redrawn.winners, published.winners)) {
    problems.push({
      code: 'winners_mismatch',
      ja: 'シードと応募一覧から再抽選した当選者が公開された当選者と一致しません。',
      en: 'Re-drawing from the seed and entries gives different winners than published.',
    });
  }
  if (!sameList(redrawn.alternates, published.alternates)) {
    problems.push({
      code: 'alternates_mismatch',
      ja: 'シードと応募一覧から再抽選した補欠が公開された補欠と一致しません。',
      en: 'Re-drawing from the seed and entries gives different alternates than published.',
    });
  }
  return { ok: problems.length === 0, problems };
}

/** Formats 32 caller-supplied random bytes (e.g. crypto.randomBytes(32)) as a draw seed. */
export function newDrawSeed(randomBytes: Uint8Array): string {
  if (randomBytes.length !== 32) {
    throw new RangeError(`a draw seed needs 32 random bytes, got ${randomBytes.length}`);
  }
  return toHex(randomBytes);
}

export interface InstantWinPacingInput {
  /** Prizes still in inventory. */
  remainingStock: number;
  now: Date;
  endAt: Date;
  /** Forecast entry rate for the rest of the campaign. */
  expectedEntriesPerHour: number;
  /** The designed odds in [0, 1]; pacing only ever lowers them. */
  baseOdds: number;
}

/**
 * Win probability for the next instant-win entry, paced so the stock lasts until `endAt`:
 *
 *   p = min(baseOdds, remainingStock / max(1, expectedEntriesPerHour × hoursLeft)), in [0, 1]
 *
 * With no stock left it is 0. When the remaining entries are expected to be fewer than the
 * stock (including after `endAt`), it is `baseOdds`: pacing never raises the designed odds.
 */
export function instantWinProbability(input: InstantWinPacingInput): number {
  const nowMs = input.now.getTime();
  const endMs = input.endAt.getTime();
  if (!Number.isFinite(nowMs) || !Number.isFinite(endMs)) {
    throw new RangeError('now and endAt must be valid dates');
  }
  if (!Number.isFinite(input.remainingStock)) throw new RangeError('remainingStock must be finite');
  if (!Number.isFinite(input.expectedEntriesPerHour) || input.expectedEntriesPerHour < 0) {
    throw new RangeError('expectedEntriesPerHour must be a finite number ≥ 0');
  }
  if (!(input.baseOdds >= 0 && input.baseOdds <= 1)) {
    throw new RangeError(`baseOdds must be within [0, 1], got ${input.baseOdds}`);
  }
  if (input.remainingStock <= 0) return 0;

  const hoursLeft = Math.max(0, endMs - nowMs) / 3_600_000;
  const expectedRemainingEntries = Math.max(1, input.expectedEntriesPerHour * hoursLeft);
  return Math.min(1, input.baseOdds, input.remainingStock / expectedRemainingEntries);
}

/** An entry wins when its roll falls below the probability. */
export function decideInstantWin(input: { probability: number; roll: number }): boolean {
  if (!(input.roll >= 0 && input.roll < 1)) {
    throw new RangeError(`roll must be within [0, 1), got ${input.roll}`);
  }
  return input.roll < input.probability;
}

/**
 * A uniform number in [0, 1) fixed by the instant-win seed and the entry id: the first 53 bits
 * of SHA-256(`${seed}\n${entryId}`) divided by 2^53. Retries and replays of the same entry see
 * the same roll; the seed stays secret until the campaign ends so rolls cannot be predicted.
 */
export function entryRoll(seed: string, entryId: string): number {
  const hash = sha256(`${normalizeSeed(seed)}${entrySeparator}${entryId}`);
  const high = readUint32BE(hash, 0);
  const low = readUint32BE(hash, 4) >>> 11;
  return (high * 2 ** 21 + low) / 2 ** 53;
}
