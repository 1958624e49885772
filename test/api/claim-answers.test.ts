/**
 * The claim form's answers sealed at the edge (api/claim-answers.ts): the repository only stores
 * the sealed text; here it is sealed, opened, bound to its claim and kept readable across a key
 * rotation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaimDataError, openClaimAnswers, sealClaimAnswers } from '../../api/claim-answers';
import { generateCredentialsKey, withPreviousKeys } from '../../x/credentials';

const claim = { campaignId: 'cmp_claims', xUserId: 'w1' };
const answers = { name: '山田 花子', email: 'hanako@example.jp' };

describe('claim answers sealed at rest', () => {
  const key = generateCredentialsKey();

  it('seals the answers so the stored text shows none of them, and opens them again', () => {
    const sealed = sealClaimAnswers(key, claim, answers);
    assert.ok(sealed);
    assert.doesNotMatch(sealed, /hanako|山田/);
    assert.deepEqual(openClaimAnswers(key, { ...claim, sealedAnswers: sealed }), answers);
  });

  it('stores nothing when the form asked for nothing, and opens nothing (also once purged)', () => {
    assert.equal(sealClaimAnswers(key, claim, null), null);
    assert.equal(openClaimAnswers(key, { ...claim, sealedAnswers: null }), null);
  });

  it('binds the sealed answers to their campaign and person: copied to another claim, they do not open', () => {
    const sealedAnswers = sealClaimAnswers(key, claim, answers);
    for (const other of [
      { campaignId: 'cmp_claims', xUserId: 'w2' },
      { campaignId: 'cmp_other', xUserId: 'w1' },
    ]) {
      assert.throws(
        () => openClaimAnswers(key, { ...other, sealedAnswers }),
        (error: unknown) => error instanceof ClaimDataError && /do not open/.test(error.message),
      );
    }
  });

  it('still opens after a key rotation while the old key is kept, and not under an unknown key', () => {
    const sealedAnswers = sealClaimAnswers(key, claim, answers);
    const rotated = withPreviousKeys(generateCredentialsKey(), [key]);
    assert.deepEqual(openClaimAnswers(rotated, { ...claim, sealedAnswers }), answers);
    assert.throws(
      () => openClaimAnswers(generateCredentialsKey(), { ...claim, sealedAnswers }),
      ClaimDataError,
    );
  });
});
