/**
 * scripts/verify-draw.mjs, the standalone re-derive script participants run against a campaign's
 * published draw.json and entries.txt: it must agree with domain/lottery.ts's drawWinners on any
 * input, and say so (exit 1, and what differs) when the list, the seed or the result was altered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drawWinners, newDrawSeed } from '../../domain/lottery';
import { repoRoot } from '../../scripts/lib/paths';

interface DrawJson {
  seed: string;
  digest: string;
  entryCount: number;
  winners: string[];
  alternates: string[];
  promotions: Array<{ xUserId: string; replacesXUserId: string; promotedAt: string }>;
  passedOver?: Array<{ xUserId: string; reason: string }>;
}

function runVerify(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'scripts/verify-draw.mjs'), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** X-like ids of varied lengths, so sorting by code units differs from sorting by number. */
function randomIds(count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count)
    ids.add(String(randomInt(1, 10 ** randomInt(1, 12))) + String(randomInt(0, 10 ** 6)));
  return [...ids];
}

describe('scripts/verify-draw.mjs', () => {
  let dir: string;
  let server: Server;
  let baseUrl: string;
  let n = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kuji-verify-draw-'));
    // Serves the temp folder, as Kuji serves /c/:campaignId/draw.json and entries.txt.
    server = createServer((request, response) => {
      const name = path.basename(request.url ?? '');
      try {
        const body = readFileSync(path.join(dir, name));
        response.writeHead(200).end(body);
      } catch {
        response.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes draw.json and entries.txt (sorted, one per line) and returns their paths. */
  function publish(draw: DrawJson, entries: readonly string[]) {
    n += 1;
    const drawPath = path.join(dir, `draw-${n}.json`);
    const entriesPath = path.join(dir, `entries-${n}.txt`);
    writeFileSync(drawPath, JSON.stringify(draw, null, 2));
    writeFileSync(entriesPath, [...entries].sort().join('\n') + '\n');
    return { drawPath, entriesPath };
  }

  function published(
    seed: string,
    entries: string[],
    winners: number,
    alternates: number,
  ): DrawJson {
    return { ...drawWinners({ seed, entryIds: entries, winners, alternates }), promotions: [] };
  }

  it('reproduces drawWinners for random seeds, entry lists and counts', async () => {
    for (let round = 0; round < 8; round++) {
      const entries = randomIds(randomInt(1, 400));
      const draw = published(
        newDrawSeed(randomBytes(32)),
        entries,
        randomInt(0, 20),
        randomInt(0, 10),
      );
      const { drawPath, entriesPath } = publish(draw, entries);
      const run = await runVerify([drawPath, entriesPath]);
      assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
      assert.match(
        run.stdout,
        new RegExp(
          `OK / 一致: ${entries.length} entries, ${draw.winners.length} winners and ${draw.alternates.length} alternates`,
        ),
      );
    }
  });

  it('detects a tampered entry list: one entry dropped, one added', async () => {
    const entries = randomIds(50);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 3, 2);
    const dropped = entries.filter((id) => id !== draw.winners[0]);
    const run = await runVerify(Object.values(publish(draw, dropped)));
    assert.equal(run.code, 1);
    assert.match(run.stdout, /MISMATCH/);
    assert.match(run.stdout, /entry count: published 50, entries\.txt has 49/);
    assert.match(run.stdout, /entries digest: published/);
    assert.match(run.stdout, /winners: published/);

    const added = await runVerify(Object.values(publish(draw, [...entries, '42'])));
    assert.equal(added.code, 1);
    assert.match(added.stdout, /entries digest: published/);
  });

  it('detects a tampered seed and a tampered result', async () => {
    const entries = randomIds(80);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 3, 2);
    const otherSeed = await runVerify(
      Object.values(publish({ ...draw, seed: newDrawSeed(randomBytes(32)) }, entries)),
    );
    assert.equal(otherSeed.code, 1);
    assert.match(otherSeed.stdout, /winners: published/);
    assert.doesNotMatch(otherSeed.stdout, /entries digest/, 'the list itself is the same');

    const swapped = { ...draw, winners: [draw.alternates[0]!, ...draw.winners.slice(1)] };
    const result = await runVerify(Object.values(publish(swapped, entries)));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /winners: published/);
  });

  it('checks that prizes went to alternates in draw order', async () => {
    const entries = randomIds(30);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 2, 3);
    const promotion = (xUserId: string) => ({
      xUserId,
      replacesXUserId: draw.winners[0]!,
      promotedAt: '2026-12-03T00:00:00.000Z',
    });
    const inOrder = await runVerify(
      Object.values(publish({ ...draw, promotions: [promotion(draw.alternates[0]!)] }, entries)),
    );
    assert.equal(inOrder.code, 0, inOrder.stdout);
    const skipped = await runVerify(
      Object.values(publish({ ...draw, promotions: [promotion(draw.alternates[1]!)] }, entries)),
    );
    assert.equal(skipped.code, 1);
    assert.match(
      skipped.stdout,
      new RegExp(
        `promotions: promotion 1 went to ${draw.alternates[1]}; in draw order it is ${draw.alternates[0]}`,
      ),
    );
  });

  it('accepts a genuine draw whose first alternate was passed over (listed in passedOver), and nothing else skipped', async () => {
    const entries = randomIds(30);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 2, 3);
    const [a1, a2, a3] = draw.alternates as [string, string, string];
    const promotion = (xUserId: string, replaces: string, at: string) => ({
      xUserId,
      replacesXUserId: replaces,
      promotedAt: at,
    });
    // a1 was judged ineligible after the draw: settleClaims promoted a2, then a3.
    const genuine = {
      ...draw,
      promotions: [
        promotion(a2, draw.winners[0]!, '2026-12-03T00:00:00.000Z'),
        promotion(a3, draw.winners[1]!, '2026-12-04T00:00:00.000Z'),
      ],
      passedOver: [{ xUserId: a1, reason: 'ineligible: not_following' }],
    };
    const ok = await runVerify(Object.values(publish(genuine, entries)));
    assert.equal(ok.code, 0, ok.stdout);
    // The same skip without passedOver is a promotion out of order.
    const unexplained = await runVerify(
      Object.values(publish({ ...genuine, passedOver: [] }, entries)),
    );
    assert.equal(unexplained.code, 1);
    assert.match(
      unexplained.stdout,
      new RegExp(`promotion 1 went to ${a2}; in draw order it is ${a1}`),
    );
    // Only alternates can be passed over.
    const stranger = await runVerify(
      Object.values(
        publish(
          { ...genuine, passedOver: [...genuine.passedOver, { xUserId: '1', reason: 'x' }] },
          entries,
        ),
      ),
    );
    assert.equal(stranger.code, 1);
    assert.match(stranger.stdout, /passed over: 1 is not an alternate/);
  });

  it('checks the order of promotions, not only who was promoted', async () => {
    const entries = randomIds(30);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 2, 2);
    const [a1, a2] = draw.alternates as [string, string];
    const promotion = (xUserId: string, at: string) => ({
      xUserId,
      replacesXUserId: draw.winners[0]!,
      promotedAt: at,
    });
    const inOrder = [
      promotion(a1, '2026-12-03T00:00:00.000Z'),
      promotion(a2, '2026-12-04T00:00:00.000Z'),
    ];
    const ok = await runVerify(Object.values(publish({ ...draw, promotions: inOrder }, entries)));
    assert.equal(ok.code, 0, ok.stdout);
    const swapped = await runVerify(
      Object.values(publish({ ...draw, promotions: [inOrder[1]!, inOrder[0]!] }, entries)),
    );
    assert.equal(swapped.code, 1);
    assert.match(
      swapped.stdout,
      new RegExp(`promotion 1 went to ${a2}; in draw order it is ${a1}`),
    );
  });

  it('reads both files from http(s) URLs, as the campaign page links them', async () => {
    const entries = randomIds(20);
    const draw = published(newDrawSeed(randomBytes(32)), entries, 2, 1);
    const { drawPath, entriesPath } = publish(draw, entries);
    const run = await runVerify([
      `${baseUrl}/${path.basename(drawPath)}`,
      `${baseUrl}/${path.basename(entriesPath)}`,
    ]);
    assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
    const missing = await runVerify([
      `${baseUrl}/nope.json`,
      `${baseUrl}/${path.basename(entriesPath)}`,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json answered 404/);
  });

  it('prints its usage and fails without both arguments', async () => {
    const run = await runVerify([]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /usage: node verify-draw\.mjs/);
  });
});
