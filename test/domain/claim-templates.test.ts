/** With claims on, a win template may not hand out the prize code before the claim. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyFindings } from '../../activities/preflight/findings';
import {
  type CampaignConfig,
  campaignConfigSchema,
  exampleCampaignConfig,
} from '../../domain/campaign-config';

const now = new Date('2026-12-03T00:00:00Z');
const claim = { fields: ['name', 'email'], retentionDays: 30 } as const;

function withClaim(win: CampaignConfig['templates']['win']): CampaignConfig {
  const config = exampleCampaignConfig(now);
  return {
    ...config,
    schedule: { ...config.schedule, claimDeadlineHours: 72 },
    claim: { ...claim, fields: [...claim.fields] },
    templates: { ...config.templates, win },
  };
}

function codeIssues(config: unknown) {
  const result = campaignConfigSchema.safeParse(config);
  return (result.error?.issues ?? [])
    .filter((i) => i.message.startsWith('code_before_claim'))
    .map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('code_before_claim', () => {
  it('refuses {code} in a win DM when claims are on, at templates.win.dm, in ja and en', () => {
    // The example's win DM carries {code}; its win reply links the result page only.
    const config = withClaim(exampleCampaignConfig(now).templates.win);
    const result = campaignConfigSchema.safeParse(config);
    assert.equal(result.success, false);
    const issues = codeIssues(config);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['templates.win.dm'],
    );
    const message = issues[0]?.message ?? '';
    assert.match(message, /^code_before_claim: /);
    assert.match(message, /当選DMに \{code\} は使えません/);
    assert.match(message, /the win DM template cannot use \{code\}/);
    assert.match(message, /\{resultUrl\}/);
  });

  it('refuses it on every channel (a reply is also refused for publishing the code)', () => {
    const issues = codeIssues(withClaim({ dm: 'コード: {code}', reply: '@{name} コード {code}' }));
    assert.deepEqual(
      issues.map((i) => [i.path, /the win (DM|reply) template/.exec(i.message)?.[1]]),
      [
        ['templates.win.dm', 'DM'],
        ['templates.win.reply', 'reply'],
      ],
    );
  });

  it('accepts {code} without claims (the code is the result), and links or lookalikes with claims', () => {
    const noClaims = exampleCampaignConfig(now);
    assert.equal(noClaims.claim, undefined);
    assert.equal(campaignConfigSchema.safeParse(noClaims).success, true);
    const linkOnly = withClaim({
      dm: '{name}さん、当選です！受け取りはこちら: {resultUrl}（{verificationCode}）',
    });
    assert.equal(campaignConfigSchema.safeParse(linkOnly).success, true);
    // A lookalike is not the variable: another name. (Full-width braces are refused on their own.)
    const lookalike = withClaim({ dm: '{name}さん {resultUrl} codes' });
    assert.equal(campaignConfigSchema.safeParse(lookalike).success, true);
  });

  it('is no longer a preflight warning: such a campaign never reaches preflight', () => {
    const config = withClaim({ dm: '{resultUrl}' });
    assert.ok(
      !policyFindings(config, 'enterprise', { campaignId: 'c1' }).some(
        (f) => f.code === 'code_before_claim',
      ),
    );
  });
});
