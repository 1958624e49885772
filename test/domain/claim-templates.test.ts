/** Preflight's warning for win templates that hand out the prize code before the claim. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyFindings } from '../../activities/preflight/findings';
import { type CampaignConfig, exampleCampaignConfig } from '../../domain/campaign-config';
import { codeBeforeClaimFindings } from '../../domain/claim-templates';

const now = new Date('2026-12-03T00:00:00Z');
const claim = { fields: ['name', 'email'], retentionDays: 30 } as const;

function withWin(config: CampaignConfig, win: CampaignConfig['templates']['win']): CampaignConfig {
  return { ...config, templates: { ...config.templates, win } };
}

describe('code_before_claim', () => {
  it('warns, at the template, when claims are on and a win template uses {code}', () => {
    // The example's win DM carries {code}; its win reply links the result page only.
    const config: CampaignConfig = {
      ...exampleCampaignConfig(now),
      claim: { ...claim, fields: [...claim.fields] },
    };
    const findings = codeBeforeClaimFindings(config);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity, f.path]),
      [['code_before_claim', 'warning', 'templates.win.dm']],
    );
    const [finding] = findings;
    assert.match(finding?.ja ?? '', /当選DMのテンプレートに \{code\} があります/);
    assert.match(finding?.ja ?? '', /\{resultUrl\}/);
    assert.match(finding?.en ?? '', /^The win DM template uses \{code\}\. With claims on/);

    // Every channel is checked (a reply with {code} is also refused by validation).
    const both = withWin(config, { dm: 'コード: {code}', reply: '@{name} コード {code}' });
    assert.deepEqual(
      codeBeforeClaimFindings(both).map((f) => [f.path, f.en.split(' uses ')[0]]),
      [
        ['templates.win.dm', 'The win DM template'],
        ['templates.win.reply', 'The win reply template'],
      ],
    );
    // Preflight reports it with the other policy findings.
    const policy = policyFindings(config, 'enterprise', { campaignId: 'c1' });
    assert.equal(policy.filter((f) => f.code === 'code_before_claim').length, 1);
  });

  it('says nothing without claims (the code is the result), or when no win template uses {code}', () => {
    const noClaims = exampleCampaignConfig(now);
    assert.equal(noClaims.claim, undefined);
    assert.deepEqual(codeBeforeClaimFindings(noClaims), []);
    assert.ok(
      !policyFindings(noClaims, 'enterprise', { campaignId: 'c1' }).some(
        (f) => f.code === 'code_before_claim',
      ),
    );
    const linkOnly = withWin(
      { ...noClaims, claim: { ...claim, fields: [...claim.fields] } },
      { dm: '{name}さん、当選です！受け取りはこちら: {resultUrl}（{verificationCode}）' },
    );
    assert.deepEqual(codeBeforeClaimFindings(linkOnly), []);
    // A lookalike is not the variable: full-width braces or another name.
    const lookalikes = withWin(linkOnly, { dm: '｛code｝ {codes} {resultUrl}' });
    assert.deepEqual(codeBeforeClaimFindings(lookalikes), []);
  });
});
