import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectNotReceived, isNotReceivedComplaint } from '../../domain/not-received';

describe('detectNotReceived', () => {
  const japaneseComplaints = [
    '届いていません',
    '当選DMが届いてない…',
    'まだ届かないです',
    'DMが来ない',
    'ＤＭこないんですけど',
    'メッセージきてないです',
    '当選連絡が来ていません',
    'コードを受け取れていません',
    '受け取れません😢',
    '賞品受け取ってないです',
    'DMが見当たらないのですが',
    '当選しましたがコードが届きません。確認お願いします',
  ];
  for (const text of japaneseComplaints) {
    it(`reads 「${text}」 as a Japanese complaint`, () => {
      assert.equal(detectNotReceived(text)?.language, 'ja');
    });
  }

  const englishComplaints = [
    "I didn't receive the DM",
    'I did not receive anything',
    'Still haven’t received my code',
    'HAVEN’T RECEIVED IT YET',
    'never got the prize',
    'No DM yet?',
    'still no message from you',
    "where's my code??",
    'The code was not received',
  ];
  for (const text of englishComplaints) {
    it(`reads "${text}" as an English complaint`, () => {
      assert.equal(detectNotReceived(text)?.language, 'en');
    });
  }

  const notComplaints = [
    'DM届きました！ありがとう',
    'コード受け取りました',
    '当選DM届かないかな〜',
    '当たってDM来ないかなぁ',
    '届いてないと思ったら届いてました！',
    'DM届いた！嬉しい',
    '応募しました！#くじ当たれ',
    'Got the DM, thanks!',
    'I received it, thank you',
    'I never get lucky with these',
    "Didn't get picked this time",
    'No DMs please',
    "I didn't receive it at first but found it in requests. Got it!",
  ];
  for (const text of notComplaints) {
    it(`does not read "${text}" as a complaint`, () => {
      assert.equal(detectNotReceived(text), null);
    });
  }

  it('reports the complaint phrase it found', () => {
    assert.deepEqual(detectNotReceived('当選DMが届いてないです'), {
      phrase: '届いてない',
      language: 'ja',
    });
  });

  it('still complains when the text says it arrived for others but not for me', () => {
    assert.ok(isNotReceivedComplaint('友達には届きましたが、私には届いていません'));
  });
});
