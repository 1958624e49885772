import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { resultLinkToken, resultUrl, verifyResultLinkToken } from '../../domain/result-links';

const seed = 'seed-3f9c2a7e1b';

describe('resultLinkToken', () => {
  it('is the first 16 bytes of HMAC-SHA256 over the versioned message, in base64url', () => {
    const expected = createHmac('sha256', seed)
      .update('result-link:v1:1234567890')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    assert.equal(resultLinkToken(seed, '1234567890'), expected);
    assert.match(resultLinkToken(seed, '1234567890'), /^[A-Za-z0-9_-]{22}$/);
  });

  it('differs per participant and per campaign seed', () => {
    const token = resultLinkToken(seed, '1001');
    assert.notEqual(resultLinkToken(seed, '1002'), token);
    assert.notEqual(resultLinkToken('another-seed', '1001'), token);
    assert.equal(resultLinkToken(seed, '1001'), token, 'the same inputs give the same token');
  });

  it('is not the plain HMAC of the user id, so other uses of the seed cannot mint tokens', () => {
    const undomained = createHmac('sha256', seed)
      .update('1001')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    assert.notEqual(resultLinkToken(seed, '1001'), undomained);
  });

  it('refuses an empty seed, which anyone could reproduce', () => {
    assert.throws(() => resultLinkToken('', '1001'), /secret seed/);
  });
});

describe('resultUrl', () => {
  it('joins base, campaign, user and token under /r/', () => {
    const url = resultUrl('https://kuji.example.com', 'cmp-1', '1001', seed);
    assert.equal(url, `https://kuji.example.com/r/cmp-1/1001/${resultLinkToken(seed, '1001')}`);
  });

  it('does not double a trailing slash of the base, and keeps a base path', () => {
    const token = resultLinkToken(seed, '1001');
    assert.equal(
      resultUrl('https://kuji.example.com/', 'cmp-1', '1001', seed),
      `https://kuji.example.com/r/cmp-1/1001/${token}`,
    );
    assert.equal(
      resultUrl('https://example.com/kuji//', 'cmp-1', '1001', seed),
      `https://example.com/kuji/r/cmp-1/1001/${token}`,
    );
  });

  it('percent-encodes the campaign and user ids as path segments', () => {
    const url = resultUrl('http://kuji.test', '冬 キャンペーン/2026', 'a?b#c', seed);
    const segments = new URL(url).pathname.split('/');
    assert.equal(segments.length, 5, url);
    assert.equal(decodeURIComponent(segments[2] ?? ''), '冬 キャンペーン/2026');
    assert.equal(decodeURIComponent(segments[3] ?? ''), 'a?b#c');
    assert.equal(segments[4], resultLinkToken(seed, 'a?b#c'));
  });
});

describe('verifyResultLinkToken', () => {
  it("accepts the participant's own token", () => {
    assert.equal(verifyResultLinkToken(seed, '1001', resultLinkToken(seed, '1001')), true);
  });

  it("rejects another participant's token, another campaign's token and a forged one", () => {
    assert.equal(verifyResultLinkToken(seed, '1001', resultLinkToken(seed, '1002')), false);
    assert.equal(verifyResultLinkToken(seed, '1001', resultLinkToken('other', '1001')), false);
    const token = resultLinkToken(seed, '1001');
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    assert.equal(verifyResultLinkToken(seed, '1001', flipped), false);
  });

  it('rejects tokens of another length without throwing', () => {
    const token = resultLinkToken(seed, '1001');
    for (const candidate of [
      '',
      token.slice(0, -1),
      `${token}A`,
      'x'.repeat(500),
      'é'.repeat(11),
    ]) {
      assert.equal(verifyResultLinkToken(seed, '1001', candidate), false, candidate);
    }
  });

  it('rejects everything when the seed is empty', () => {
    assert.equal(verifyResultLinkToken('', '1001', ''), false);
    assert.equal(verifyResultLinkToken('', '1001', 'AAAAAAAAAAAAAAAAAAAAAA'), false);
  });
});
