import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  constantTimeEqual,
  hmacSha256,
  readUint32BE,
  sha256,
  toBase64Url,
  toHex,
  utf8,
} from '../../domain/sha256';

const nodeSha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    assert.equal(
      toHex(sha256('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(
      toHex(sha256('')),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(
      toHex(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on every length across block boundaries, and on UTF-8 text', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      assert.equal(toHex(sha256(bytes)), nodeSha256(bytes), `length ${length}`);
    }
    const text = '冬のフォロー＆リポスト🎁\nentry-1';
    assert.equal(toHex(sha256(text)), nodeSha256(text));
  });
});

describe('hmacSha256', () => {
  it('agrees with node:crypto for short, block-sized and long keys', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = new Uint8Array(randomBytes(keyLength));
      const message = new Uint8Array(randomBytes(keyLength + 7));
      assert.equal(
        toHex(hmacSha256(key, message)),
        createHmac('sha256', key).update(message).digest('hex'),
        `key length ${keyLength}`,
      );
    }
    assert.equal(
      toHex(hmacSha256('秘密のシード', 'result-link:v1:42')),
      createHmac('sha256', '秘密のシード').update('result-link:v1:42', 'utf8').digest('hex'),
    );
  });
});

describe('encodings', () => {
  it('writes base64url without padding, as Buffer does', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      assert.equal(toBase64Url(bytes), Buffer.from(bytes).toString('base64url'));
    }
  });

  it('reads big-endian words, also from a view into a larger buffer', () => {
    const bytes = new Uint8Array([9, 0x12, 0x34, 0x56, 0x78, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(readUint32BE(bytes, 1), 0x12345678);
    assert.equal(readUint32BE(bytes.subarray(5), 0), 0xffffffff);
    assert.deepEqual(utf8('é'), new Uint8Array([0xc3, 0xa9]));
  });

  it('compares strings for equality only', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
  });
});
