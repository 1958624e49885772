import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { resultLinkToken } from '../../domain/result-links';
import {
  findVerificationCode,
  isVerificationCode,
  normaliseVerificationCode,
  verificationCode,
} from '../../domain/verification';

const seed = 'seed-3f9c2a7e1b';
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The reference: the first 40 bits of node:crypto's HMAC, five bits per Crockford character. */
function referenceCode(secret: string, xUserId: string): string {
  const digest = createHmac('sha256', secret).update(`verification-code:v1:${xUserId}`).digest();
  const value = digest.readUIntBE(0, 5); // 40 bits fit a double exactly
  let text = '';
  for (let i = 7; i >= 0; i--) text += crockford[Math.floor(value / 2 ** (5 * i)) % 32];
  return `KJ-${text.slice(0, 4)}-${text.slice(4)}`;
}

describe('verificationCode', () => {
  it('is KJ-XXXX-XXXX in Crockford base32 over the first 40 bits of the versioned HMAC', () => {
    for (const user of ['1001', '1234567890', '999999999999999999', 'x']) {
      const code = verificationCode(seed, user);
      assert.match(code, /^KJ-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      assert.equal(code, referenceCode(seed, user));
    }
  });

  it('is stable for the same inputs and differs per participant and per campaign seed', () => {
    const code = verificationCode(seed, '1001');
    assert.equal(verificationCode(seed, '1001'), code);
    assert.notEqual(verificationCode(seed, '1002'), code);
    assert.notEqual(verificationCode('another-seed', '1001'), code);
  });

  it('is domain-separated from the result-link token and from the plain HMAC of the id', () => {
    // The same 40 bits read from the result-link HMAC or an undomained HMAC must not be the code.
    const linkBytes = Buffer.from(resultLinkToken(seed, '1001'), 'base64url');
    const fromLink = createHmac('sha256', seed).update('result-link:v1:1001').digest();
    assert.deepEqual(linkBytes, fromLink.subarray(0, 16));
    const asCode = (bytes: Buffer): string => {
      const value = bytes.readUIntBE(0, 5);
      let text = '';
      for (let i = 7; i >= 0; i--) text += crockford[Math.floor(value / 2 ** (5 * i)) % 32];
      return `KJ-${text.slice(0, 4)}-${text.slice(4)}`;
    };
    const code = verificationCode(seed, '1001');
    assert.notEqual(code, asCode(fromLink));
    assert.notEqual(code, asCode(createHmac('sha256', seed).update('1001').digest()));
  });

  it('refuses an empty seed, which anyone could reproduce', () => {
    assert.throws(() => verificationCode('', '1001'), /secret seed/);
  });
});

describe('reading codes back', () => {
  const code = verificationCode(seed, '1001');

  it('normalises what a person typed: case, blanks and Crockford look-alikes', () => {
    assert.equal(normaliseVerificationCode(`  ${code.toLowerCase()} `), code);
    assert.equal(normaliseVerificationCode('kj-o1il-0000'), 'KJ-0111-0000');
    assert.equal(normaliseVerificationCode('KJ-UUUU-0000'), undefined, 'U is not Crockford');
    assert.equal(normaliseVerificationCode(`${code}x`), undefined);
    assert.equal(normaliseVerificationCode('KJ-123-4567'), undefined);
    assert.equal(normaliseVerificationCode(''), undefined);
  });

  it('finds the code inside a message, Japanese text around it included', () => {
    assert.equal(
      findVerificationCode(`当選しました！\n確認コード / Verification code: ${code}`),
      code,
    );
    assert.equal(findVerificationCode(`コード${code}です`), code);
    assert.equal(findVerificationCode('おめでとうございます'), undefined);
  });

  it('checks a code against the participant, whatever its case', () => {
    assert.equal(isVerificationCode(seed, '1001', code), true);
    assert.equal(isVerificationCode(seed, '1001', code.toLowerCase()), true);
    assert.equal(isVerificationCode(seed, '1002', code), false);
    assert.equal(isVerificationCode('', '1001', code), false);
    assert.equal(isVerificationCode(seed, '1001', 'nonsense'), false);
  });
});
