import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containsPhrase,
  extractHashtags,
  isValidHashtag,
  normalizeHashtag,
  normalizeText,
} from '../../domain/text';

describe('normalizeText', () => {
  it('folds full-width letters, half-width katakana, case and spacing', () => {
    assert.equal(normalizeText('  ＫＵＪＩ　ｷｬﾝﾍﾟｰﾝ\n２０２６ '), 'kuji キャンペーン 2026');
  });
});

describe('extractHashtags', () => {
  it('finds hashtags with full-width ＃, Japanese text and mixed case, once each', () => {
    assert.deepEqual(extractHashtags('＃冬くじ #KujiCampaign #kujicampaign #ドラ・クエ'), [
      '冬くじ',
      'kujicampaign',
      'ドラ・クエ',
    ]);
  });

  it('ends a hashtag at punctuation and ignores # inside words and URLs', () => {
    assert.deepEqual(extractHashtags('#冬くじ、応募！ abc#def https://example.com/#top &#39;'), [
      '冬くじ',
    ]);
  });
});

describe('normalizeHashtag and isValidHashtag', () => {
  it('compare tags with or without #', () => {
    assert.equal(normalizeHashtag('＃ＫｕｊｉＣａｍｐａｉｇｎ'), 'kujicampaign');
    assert.equal(normalizeHashtag('冬くじ'), '冬くじ');
  });

  it('accept a single tag and reject spaces, punctuation and digits only', () => {
    assert.ok(isValidHashtag('#冬くじ2026'));
    assert.ok(isValidHashtag('kuji_campaign'));
    assert.ok(!isValidHashtag('#冬 くじ'));
    assert.ok(!isValidHashtag('#当たれ!'));
    assert.ok(!isValidHashtag('#2026'));
    assert.ok(!isValidHashtag('#'));
  });
});

describe('containsPhrase', () => {
  it('matches across character widths and case', () => {
    assert.ok(containsPhrase('ｵｳﾎﾞします！', 'オウボ'));
    assert.ok(containsPhrase('I want the PRIZE', 'prize'));
    assert.ok(!containsPhrase('応募します', 'オウボ'));
  });

  it('never matches an empty phrase', () => {
    assert.ok(!containsPhrase('anything', '　'));
  });
});
