#!/usr/bin/env node
// Re-derives a Kuji draw from what the campaign page publishes, so anyone can check it.
//
//   node verify-draw.mjs <draw.json> <entries.txt>
//
// Each argument is a file path or an http(s) URL, e.g. https://<kuji>/c/<campaign>/draw.json and
// https://<kuji>/c/<campaign>/entries.txt. Needs Node.js 18 or later and nothing else.
// Exit code 0: the winners and alternates follow from the seed and the entry list, and the
// promotions took the alternates in draw order (skipping only those draw.json lists under
// passedOver); 1: they do not (or something could not be read), with the reason printed.
//
// The algorithm (the header of domain/lottery.ts in Kuji's source):
//   1. ids = the entry ids, sorted by UTF-16 code units, each once;
//   2. digest = hex SHA-256 of the ids joined with "\n";
//   3. key = SHA-256 of the text seed + digest (both lowercase hex);
//   4. words = 32-bit big-endian words of SHA-256(key ‖ uint64be(i)) for i = 0, 1, …;
//   5. an index below n = word % n for the first word < 2^32 − (2^32 mod n);
//   6. for i = 0, 1, …: swap ids[i] with ids[i + index below (n − i)]; the first `winners`
//      picks win, the next are the alternates in promotion order.
/* global console, fetch */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import process from 'node:process';

const sha256 = (data) => createHash('sha256').update(data).digest();

/** The text at a path or an http(s) URL. */
async function load(source) {
  if (!/^https?:\/\//i.test(source)) return readFile(source, 'utf8');
  const response = await fetch(source);
  if (!response.ok) throw new Error(`${source} answered ${response.status}`);
  return response.text();
}

/** Steps 1–6: the published draw re-derived from the seed and the entry ids. */
function redraw(seed, entryIds, winners, alternates) {
  const pool = [...entryIds].sort();
  const digest = sha256(pool.join('\n')).toString('hex');
  const key = sha256(seed.toLowerCase() + digest);
  let counter = 0n;
  let block = Buffer.alloc(0);
  let offset = 0;
  const nextWord = () => {
    if (offset >= block.length) {
      const counterBytes = Buffer.alloc(8);
      counterBytes.writeBigUInt64BE(counter++);
      block = sha256(Buffer.concat([key, counterBytes]));
      offset = 0;
    }
    const word = block.readUInt32BE(offset);
    offset += 4;
    return word;
  };
  const indexBelow = (n) => {
    const acceptBelow = 2 ** 32 - (2 ** 32 % n); // rejection sampling: no index is favoured
    for (;;) {
      const word = nextWord();
      if (word < acceptBelow) return word % n;
    }
  };
  const picks = Math.min(winners + alternates, pool.length);
  for (let i = 0; i < picks; i++) {
    const j = i + indexBelow(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const winnerCount = Math.min(winners, picks);
  return {
    digest,
    entryCount: pool.length,
    winners: pool.slice(0, winnerCount),
    alternates: pool.slice(winnerCount, picks),
  };
}

/** What disagrees between the published draw and the one re-derived; empty when all agree. */
function problemsOf(draw, entryIds) {
  if (!/^(?:[0-9a-f]{2})+$/i.test(String(draw.seed ?? ''))) return ['the seed is not hex'];
  if (new Set(entryIds).size !== entryIds.length) return ['an entry id is listed twice'];
  const winners = draw.winners ?? [];
  const alternates = draw.alternates ?? [];
  const mine = redraw(draw.seed, entryIds, winners.length, alternates.length);
  const same = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);
  const problems = [];
  if (mine.entryCount !== draw.entryCount) {
    problems.push(`entry count: published ${draw.entryCount}, entries.txt has ${mine.entryCount}`);
  }
  if (mine.digest !== String(draw.digest).toLowerCase()) {
    problems.push(`entries digest: published ${draw.digest}, entries.txt gives ${mine.digest}`);
  }
  if (!same(mine.winners, winners)) {
    problems.push(
      `winners: published ${winners.join(', ')}; re-derived ${mine.winners.join(', ')}`,
    );
  }
  if (!same(mine.alternates, alternates)) {
    problems.push(
      `alternates: published ${alternates.join(', ')}; re-derived ${mine.alternates.join(', ')}`,
    );
  }
  problems.push(...promotionProblems(draw.promotions ?? [], alternates, draw.passedOver ?? []));
  return problems;
}

/**
 * Unclaimed prizes go to the alternates in draw order, one after another, in the order the
 * promotions were made. An alternate may be skipped only when draw.json lists them under
 * passedOver (their entry was judged otherwise after the draw, e.g. found ineligible).
 */
function promotionProblems(promotions, alternates, passedOver) {
  const skippable = new Set(passedOver.map((p) => p.xUserId));
  const problems = [];
  for (const id of skippable) {
    if (!alternates.includes(id)) problems.push(`passed over: ${id} is not an alternate`);
  }
  let next = 0; // the position in draw order the next promotion must come from
  for (const [n, { xUserId }] of promotions.entries()) {
    while (
      next < alternates.length &&
      skippable.has(alternates[next]) &&
      alternates[next] !== xUserId
    ) {
      next++;
    }
    if (alternates[next] !== xUserId) {
      problems.push(
        `promotions: promotion ${n + 1} went to ${xUserId}; in draw order it is ` +
          `${alternates[next] ?? 'nobody (no alternate left)'}`,
      );
      return problems;
    }
    next++;
  }
  return problems;
}

async function main([drawSource, entriesSource]) {
  if (!drawSource || !entriesSource) {
    console.error('usage: node verify-draw.mjs <draw.json path or URL> <entries.txt path or URL>');
    return 1;
  }
  const [drawText, entriesText] = await Promise.all([load(drawSource), load(entriesSource)]);
  const draw = JSON.parse(drawText);
  const entryIds = entriesText
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter(Boolean);
  const problems = problemsOf(draw, entryIds);
  if (problems.length > 0) {
    console.log('MISMATCH / 不一致:');
    for (const problem of problems) console.log(`  - ${problem}`);
    return 1;
  }
  console.log(
    `OK / 一致: ${entryIds.length} entries, ${draw.winners.length} winners and ` +
      `${draw.alternates.length} alternates follow from seed ${draw.seed}.`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`verify-draw: ${error.message}`);
    process.exit(1);
  },
);
