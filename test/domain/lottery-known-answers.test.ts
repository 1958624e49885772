/**
 * Published draws and sent result links must stay verifiable: these answers were recorded with
 * the node:crypto implementation the draw and the links used before domain/sha256.ts, and the
 * pure one must give exactly the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawWinners, entriesDigest, entryRoll, newDrawSeed } from '../../domain/lottery';
import { resultLinkToken, verifyResultLinkToken } from '../../domain/result-links';

const ids = Array.from({ length: 50 }, (_, i) => `entry-${i}-参加`);
const seed = 'a1b2c3d4'.repeat(8);
const digest = '1b4d1e7f6d4fb1b2dbe6debbd8b1d6e9ab935538dcd7719fe0282a840c9c17f0';

describe('draws and links recorded before the pure SHA-256', () => {
  it('give the same entries digest and the same winners and alternates', () => {
    assert.deepEqual(entriesDigest(ids), { digest, entryCount: 50 });
    assert.deepEqual(drawWinners({ seed, entryIds: ids, winners: 3, alternates: 2 }), {
      seed,
      digest,
      entryCount: 50,
      winners: ['entry-16-参加', 'entry-10-参加', 'entry-11-参加'],
      alternates: ['entry-18-参加', 'entry-30-参加'],
    });
  });

  it('give the same instant-win roll and seed text', () => {
    assert.equal(entryRoll(seed, 'entry-7'), 0.293874393072579);
    assert.equal(
      newDrawSeed(new Uint8Array(32).map((_, i) => i * 7)),
      '00070e151c232a31383f464d545b626970777e858c939aa1a8afb6bdc4cbd2d9',
    );
  });

  it('give the same result link token, which still verifies', () => {
    assert.equal(resultLinkToken('秘密seed', '1000000000000000042'), 'V_XFS5j9DnbkGMmw4sx_QA');
    assert.equal(
      verifyResultLinkToken('秘密seed', '1000000000000000042', 'V_XFS5j9DnbkGMmw4sx_QA'),
      true,
    );
    assert.equal(
      verifyResultLinkToken('秘密seed', '1000000000000000042', 'V_XFS5j9DnbkGMmw4sx_QB'),
      false,
    );
  });
});
