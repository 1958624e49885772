import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxPostWeightedLength, weightedPostLength } from '../../domain/post-length';

describe('weightedPostLength', () => {
  it('counts Latin as 1, Japanese and emoji as 2, and any URL as 23', () => {
    assert.equal(weightedPostLength('abc'), 3);
    assert.equal(weightedPostLength('当選'), 4);
    assert.equal(weightedPostLength('🎉'), 2);
    assert.equal(weightedPostLength('“quoted” – ok'), 13, 'general punctuation weighs 1');
    assert.equal(
      weightedPostLength('見て https://kuji.example/r/c1/1001/aaaaaaaaaaaaaaaaaaaaaa'),
      2 * 2 + 1 + 23,
    );
  });

  it('puts 140 Japanese characters exactly at the limit', () => {
    assert.equal(weightedPostLength('あ'.repeat(140)), maxPostWeightedLength);
    assert.equal(weightedPostLength('あ'.repeat(141)), maxPostWeightedLength + 2);
  });
});
