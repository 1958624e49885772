import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleInstantWinConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';
import { replyLengthFindings, weightedPostLength } from '../../domain/post-length';
import {
  renderWinMessage,
  verificationCodeLine,
  withVerificationCode,
} from '../../domain/templates';

const code = 'KJ-7Q2M-X4PA';

describe('win messages carry the verification code', () => {
  it('appends the code as a final line when the template does not place it', () => {
    const rendered = renderWinMessage('{name}さん、当選です！', {
      name: '@aoi',
      verificationCode: code,
    });
    assert.deepEqual(rendered, {
      ok: true,
      text: '@aoiさん、当選です！\n確認コード / Verification code: KJ-7Q2M-X4PA',
    });
  });

  it('leaves the code where the template places {verificationCode}, once', () => {
    const rendered = renderWinMessage('当選です（確認コード {verificationCode}）', {
      verificationCode: code,
    });
    assert.deepEqual(rendered, { ok: true, text: '当選です（確認コード KJ-7Q2M-X4PA）' });
  });

  it('keeps a missing-variable failure a failure', () => {
    const rendered = renderWinMessage('{prize}が当たりました', { verificationCode: code });
    assert.deepEqual(rendered, { ok: false, missing: ['prize'], unknown: [] });
  });

  it('adds the line after anything appended to the rendered text (a resend’s mark)', () => {
    assert.equal(
      withVerificationCode('当選です', '当選です\n（再送 / resent）', code),
      `当選です\n（再送 / resent）\n${verificationCodeLine(code)}`,
    );
  });
});

describe('replyLengthFindings', () => {
  const now = new Date('2026-11-22T03:00:00Z');
  function withWinReply(reply: string) {
    const input: CampaignConfigInput = structuredClone(exampleInstantWinConfig(now));
    input.templates.win.reply = reply;
    return campaignConfigSchema.parse(input);
  }
  const lineWeight = weightedPostLength(`\n${verificationCodeLine(code)}`);

  it('counts the verification code line in a win reply', () => {
    // Fits alone at 280, but not with the code line every win carries.
    const fitsWithLine = withWinReply('あ'.repeat(Math.floor((280 - lineWeight) / 2)));
    assert.deepEqual(replyLengthFindings(fitsWithLine), []);
    const tooLong = withWinReply('あ'.repeat(140));
    const findings = replyLengthFindings(tooLong);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity, f.path]),
      [['reply_too_long', 'blocking', 'templates.win.reply']],
    );
    assert.match(findings[0]?.en ?? '', new RegExp(`up to ${280 + lineWeight} weighted`));
    assert.match(findings[0]?.ja ?? '', /確認コードの行を含む/);
  });

  it('counts a URL as 23 and {name} as the longest username', () => {
    const base = 280 - lineWeight - 23 - 1 - 16;
    const template = (extra: number) =>
      'あ'.repeat(Math.floor(base / 2)) + 'a'.repeat((base % 2) + extra) + '{resultUrl} {name}';
    assert.deepEqual(replyLengthFindings(withWinReply(template(0))), [], 'exactly 280');
    assert.deepEqual(
      replyLengthFindings(withWinReply(template(1))).map((f) => f.code),
      ['reply_too_long'],
    );
  });
});
