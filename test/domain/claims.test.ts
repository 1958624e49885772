import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleCampaignConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';
import {
  claimDeadline,
  claimPurgeAt,
  nextAlternates,
  validateClaimAnswers,
} from '../../domain/claims';

const now = new Date('2026-12-03T03:00:00Z');

function drawnInput(): CampaignConfigInput {
  const input: CampaignConfigInput = structuredClone(exampleCampaignConfig(now));
  // With claims on, the code shows on the page once claimed, never in the win DM (code_before_claim).
  input.templates.win.dm = '{name}さん、{prize}に当選しました。受け取りはこちら: {resultUrl}';
  return input;
}

describe('the claim section of a campaign', () => {
  it('is absent by default, so existing campaigns keep final results', () => {
    const config = campaignConfigSchema.parse(drawnInput());
    assert.equal(config.claim, undefined);
  });

  it('defaults to no fields and 30 days of retention', () => {
    const config = campaignConfigSchema.parse({ ...drawnInput(), claim: {} });
    assert.deepEqual(config.claim, { fields: [], retentionDays: 30 });
  });

  it('needs schedule.claimDeadlineHours', () => {
    const input = drawnInput();
    delete input.schedule.claimDeadlineHours;
    const result = campaignConfigSchema.safeParse({ ...input, claim: { fields: ['name'] } });
    assert.equal(result.success, false);
    const issue = result.error?.issues.find(
      (i) => i.path.join('.') === 'schedule.claimDeadlineHours',
    );
    assert.match(issue?.message ?? '', /claim_deadline_missing/);
    // Without a claim section the deadline stays optional.
    assert.equal(campaignConfigSchema.safeParse(input).success, true);
  });

  it('refuses unknown fields, duplicates and retention outside 1..365 days', () => {
    for (const claim of [
      { fields: ['birthday'] },
      { fields: ['email', 'email'] },
      { retentionDays: 0 },
      { retentionDays: 366 },
      { retentionDays: 1.5 },
    ]) {
      const result = campaignConfigSchema.safeParse({ ...drawnInput(), claim });
      assert.equal(result.success, false, JSON.stringify(claim));
      assert.ok(result.error?.issues.every((i) => i.path[0] === 'claim'));
    }
  });
});

describe('validateClaimAnswers', () => {
  const all = ['name', 'email', 'postalAddress', 'phone'] as const;

  it('returns the trimmed, normalised answers of the asked fields only', () => {
    const result = validateClaimAnswers(all, {
      name: '  山田　花子 ',
      email: ' hanako@example.jp ',
      postalAddress: '〒100-0001\r\n東京都千代田区千代田１－１  ',
      phone: '+81 90-1234-5678',
      extra: 'ignored',
    });
    assert.deepEqual(result, {
      ok: true,
      answers: {
        name: '山田 花子',
        email: 'hanako@example.jp',
        postalAddress: '〒100-0001\n東京都千代田区千代田1-1',
        phone: '+81 90-1234-5678',
      },
    });
  });

  it('asks nothing for a digital prize', () => {
    assert.deepEqual(validateClaimAnswers([], { name: 'x' }), { ok: true, answers: {} });
  });

  it('reports each missing or wrong field in Japanese and English', () => {
    const result = validateClaimAnswers(all, {
      name: '   ',
      email: 'hanako@',
      postalAddress: '東京',
      phone: '12-34',
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.issues.map((i) => i.field),
      ['name', 'email', 'postalAddress', 'phone'],
    );
    for (const issue of result.issues) {
      assert.match(issue.ja, /[ぁ-んァ-ン一-龥]/);
      assert.match(issue.en, /^[A-Z][ -~]+\.$/);
    }
    assert.match(result.issues[0]!.en, /Please enter your name/);
    assert.match(result.issues[1]!.en, /not a valid email/);
  });

  it('bounds lengths and refuses line breaks in one-line fields and control characters', () => {
    const result = validateClaimAnswers(all, {
      name: 'a\nb',
      email: `${'a'.repeat(250)}@example.jp`,
      postalAddress: '東京都千代田区\u0007千代田1-1',
      phone: '0'.repeat(16),
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.issues.length, 4);
    assert.match(result.issues[1]!.en, /at most 254 characters/);
    const long = validateClaimAnswers(['postalAddress'], { postalAddress: 'あ'.repeat(401) });
    assert.equal(long.ok, false);
    const fits = validateClaimAnswers(['postalAddress'], { postalAddress: 'あ'.repeat(400) });
    assert.equal(fits.ok, true);
  });

  it('treats a non-string answer (a repeated form field) as missing', () => {
    const result = validateClaimAnswers(['name'], { name: ['a', 'b'] });
    assert.equal(result.ok, false);
  });
});

describe('claim deadlines and promotion order', () => {
  it('puts the deadline the configured hours after the claim opened', () => {
    assert.equal(
      claimDeadline(new Date('2026-12-03T00:00:00Z'), 72).toISOString(),
      '2026-12-06T00:00:00.000Z',
    );
    assert.equal(
      claimPurgeAt(new Date('2026-12-03T00:00:00Z'), 30).toISOString(),
      '2027-01-02T00:00:00.000Z',
    );
  });

  it('picks the next alternates in draw order who have had no prize yet', () => {
    const alternates = ['a1', 'a2', 'a3', 'a4'];
    assert.deepEqual(nextAlternates(alternates, new Set(), 2), ['a1', 'a2']);
    assert.deepEqual(nextAlternates(alternates, new Set(['a1', 'a3']), 2), ['a2', 'a4']);
    assert.deepEqual(nextAlternates(alternates, new Set(['a1', 'a2', 'a3']), 3), ['a4']);
    assert.deepEqual(nextAlternates(alternates, new Set(alternates), 1), []);
    assert.deepEqual(nextAlternates(alternates, new Set(), 0), []);
  });
});
