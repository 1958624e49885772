import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleCampaignConfig,
  exampleInstantWinConfig,
  type CampaignConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';
import {
  consentBasisFor,
  planChannel,
  reachabilitySummary,
  strongestConsentBasis,
  type ConsentBasis,
  type EntrySource,
} from '../../domain/consent';

const now = new Date('2026-11-22T03:00:00Z');
const page = { campaignId: 'c-42', publicBaseUrl: 'https://kuji.example/' };

function configWith(change: (input: CampaignConfigInput) => void): CampaignConfig {
  const input: CampaignConfigInput = structuredClone(exampleCampaignConfig(now));
  change(input);
  return campaignConfigSchema.parse(input);
}

describe('consentBasisFor', () => {
  it('gives DM opt-in to a DM keyword, a summons to replies, mentions and quotes, else none', () => {
    const expected: Record<EntrySource, ConsentBasis> = {
      dm_keyword: 'dm_opt_in',
      reply: 'summoned',
      mention: 'summoned',
      quote: 'summoned',
      repost: 'none',
      follow: 'none',
      like: 'none',
    };
    for (const [source, basis] of Object.entries(expected)) {
      assert.equal(consentBasisFor(source as EntrySource), basis, source);
    }
  });
});

describe('strongestConsentBasis', () => {
  it('keeps the most permissive basis among several sources', () => {
    assert.equal(strongestConsentBasis(['repost', 'reply']), 'summoned');
    assert.equal(strongestConsentBasis(['quote', 'dm_keyword', 'follow']), 'dm_opt_in');
    assert.equal(strongestConsentBasis(['like', 'follow']), 'none');
    assert.equal(strongestConsentBasis([]), 'none');
  });
});

describe('planChannel', () => {
  it('sends a DM to someone who opted in by DM', () => {
    const plan = planChannel({ consentBasis: 'dm_opt_in', apiTier: 'self_serve' });
    assert.equal(plan.channel, 'dm');
    assert.match(plan.reason.en, /opt-in/);
    assert.ok(plan.reason.ja.length > 0);
  });

  it('replies to the participant’s own post when summoned, on either tier', () => {
    for (const apiTier of ['self_serve', 'enterprise'] as const) {
      const plan = planChannel({ consentBasis: 'summoned', apiTier });
      assert.deepEqual([plan.channel, plan.replyTo], ['reply', 'participant_post'], apiTier);
    }
  });

  it('never DMs a participant who only replied', () => {
    const plan = planChannel({ consentBasis: 'summoned', apiTier: 'enterprise', dmOpen: true });
    assert.notEqual(plan.channel, 'dm');
  });

  it('leaves reposters and followers to the result page on self-serve access', () => {
    const plan = planChannel({ consentBasis: 'none', apiTier: 'self_serve', dmOpen: true });
    assert.equal(plan.channel, 'result_page');
    assert.match(plan.reason.en, /neither automated DMs/);
  });

  it('lets enterprise access reply under the campaign post without a summons', () => {
    const plan = planChannel({ consentBasis: 'none', apiTier: 'enterprise' });
    assert.deepEqual([plan.channel, plan.replyTo], ['reply', 'campaign_post']);
    assert.match(plan.reason.en, /Enterprise/);
  });

  it('falls back from closed DMs to what else is allowed', () => {
    const selfServe = planChannel({
      consentBasis: 'dm_opt_in',
      apiTier: 'self_serve',
      dmOpen: false,
    });
    assert.equal(selfServe.channel, 'result_page');
    assert.match(selfServe.reason.en, /DM settings/);
    const enterprise = planChannel({
      consentBasis: 'dm_opt_in',
      apiTier: 'enterprise',
      dmOpen: false,
    });
    assert.equal(enterprise.channel, 'reply');
  });

  it('sends at most one automated reply per interaction', () => {
    const plan = planChannel({
      consentBasis: 'summoned',
      apiTier: 'self_serve',
      automatedRepliesSent: 1,
    });
    assert.equal(plan.channel, 'result_page');
    assert.match(plan.reason.en, /already sent/);
  });

  it('skips a channel the message has no template for', () => {
    const noDmText = planChannel({
      consentBasis: 'dm_opt_in',
      apiTier: 'self_serve',
      templateChannels: ['reply'],
    });
    assert.equal(noDmText.channel, 'result_page');
    assert.match(noDmText.reason.en, /no template/);
    const noReplyText = planChannel({
      consentBasis: 'summoned',
      apiTier: 'self_serve',
      templateChannels: ['dm'],
    });
    assert.equal(noReplyText.channel, 'result_page');
  });
});

describe('reachabilitySummary', () => {
  it('tells a repost-and-follow campaign’s winners on its page on self-serve access, without blocking', () => {
    const summary = reachabilitySummary(exampleCampaignConfig(now), 'self_serve', page);
    assert.equal(summary.consentBasis, 'none');
    assert.equal(summary.winners.channel, 'result_page');
    assert.deepEqual(
      summary.rules.map((rule) => [rule.type, rule.consentBasis, rule.channel]),
      [
        ['repost', 'none', 'result_page'],
        ['follow', 'none', 'result_page'],
      ],
    );
    assert.ok(!summary.findings.some((finding) => finding.severity === 'blocking'));
    const onPage = summary.findings.find((finding) => finding.code === 'winners_on_result_page');
    assert.equal(onPage?.severity, 'info');
    assert.match(onPage?.en ?? '', /repost, follow/);
    // The sentence for the campaign post, in both languages, names the page and /verify.
    for (const text of [onPage?.ja ?? '', onPage?.en ?? '']) {
      assert.ok(text.includes('https://kuji.example/c/c-42'), text);
      assert.ok(text.includes('https://kuji.example/verify'), text);
    }
    assert.match(
      onPage?.ja ?? '',
      /キャンペーン投稿に次の一文を入れてください: 「結果は https:\/\/kuji\.example\/c\/c-42 でXにサインイン/,
    );
    assert.match(
      onPage?.en ?? '',
      /Put this in the campaign post: "See your result by signing in with X at https:\/\/kuji\.example\/c\/c-42\./,
    );
    assert.doesNotMatch(onPage?.en ?? '', /claim/, 'no claim deadline without a claim section');
  });

  it('adds the claim deadline to the post’s sentence when claims are on', () => {
    const config = configWith((input) => {
      input.claim = { fields: ['name'], retentionDays: 30 };
      input.schedule.claimDeadlineHours = 48;
      // With claims, the code shows only after the claim: win messages link the page instead.
      input.templates.win = { dm: '{name}さん、当選です！受け取りはこちら: {resultUrl}' };
    });
    const onPage = reachabilitySummary(config, 'self_serve', page).findings.find(
      (finding) => finding.code === 'winners_on_result_page',
    );
    assert.match(onPage?.ja ?? '', /48時間以内に同じページで受け取り手続き/);
    assert.match(onPage?.en ?? '', /claim their prize on that page within 48 hours/);
  });

  it('gives the page as a path when the deployment has no public base URL', () => {
    const onPage = reachabilitySummary(exampleCampaignConfig(now), 'self_serve', {
      campaignId: 'c 1',
    }).findings.find((finding) => finding.code === 'winners_on_result_page');
    assert.match(onPage?.en ?? '', / at \/c\/c%201\./);
  });

  it('reaches the same campaign by reply on enterprise access, with a policy warning', () => {
    const summary = reachabilitySummary(exampleCampaignConfig(now), 'enterprise', page);
    assert.equal(summary.winners.channel, 'reply');
    assert.ok(!summary.findings.some((finding) => finding.severity === 'blocking'));
    assert.ok(summary.findings.some((finding) => finding.code === 'engagement_manipulation_risk'));
  });

  it('uses DM for everyone once a DM keyword is one of the rules', () => {
    const config = configWith((input) => {
      input.entryRules.all.push({ type: 'dm_keyword', keyword: '応募' });
    });
    const summary = reachabilitySummary(config, 'self_serve', page);
    assert.equal(summary.consentBasis, 'dm_opt_in');
    assert.equal(summary.winners.channel, 'dm');
    assert.equal(summary.rules[2]?.channel, 'dm');
    assert.ok(!summary.findings.some((finding) => finding.severity === 'blocking'));
  });

  it('replies to the instant-win example’s hashtag replies on self-serve access', () => {
    const summary = reachabilitySummary(exampleInstantWinConfig(now), 'self_serve', page);
    assert.equal(summary.consentBasis, 'summoned');
    assert.deepEqual(
      [summary.winners.channel, summary.winners.replyTo],
      ['reply', 'participant_post'],
    );
    assert.deepEqual(summary.findings, []);
  });

  it('blocks when the allowed channel has no win template', () => {
    const config = configWith((input) => {
      input.entryRules.all = [{ type: 'reply', hashtags: ['#冬くじ'] }];
      delete input.templates.win.reply;
    });
    const summary = reachabilitySummary(config, 'self_serve', page);
    assert.deepEqual(
      summary.findings.map((finding) => [finding.code, finding.severity, finding.path]),
      [['winner_template_missing', 'blocking', 'templates.win.reply']],
    );
  });
});
