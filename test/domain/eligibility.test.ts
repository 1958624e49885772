import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleCampaignConfig,
  type CampaignConfig,
  type CampaignConfigInput,
  type EntryRule,
} from '../../domain/campaign-config';
import { evaluateEntry, type Participant, type ParticipantFacts } from '../../domain/eligibility';

const now = new Date('2026-11-22T03:00:00Z');
const participant = { userId: '2000000000000000001', username: 'hanako' };

function configWith(change: (input: CampaignConfigInput) => void): CampaignConfig {
  const input: CampaignConfigInput = structuredClone(exampleCampaignConfig(now));
  change(input);
  return campaignConfigSchema.parse(input);
}

function configWithRules(...rules: EntryRule[]): CampaignConfig {
  return configWith((input) => {
    input.entryRules.all = rules;
  });
}

/** A participant who did everything and is excluded by nothing. */
function factsWith(overrides: Partial<ParticipantFacts> = {}): ParticipantFacts {
  return {
    reposted: true,
    liked: true,
    replyTexts: [],
    quoteTexts: [],
    dmTexts: [],
    followsSender: true,
    followedUserIds: [],
    profile: { protected: false, suspended: false },
    acceptedEntryCount: 0,
    wonCampaignIds: [],
    ...overrides,
  };
}

function codesOf(config: CampaignConfig, facts: ParticipantFacts, who: Participant = participant) {
  return evaluateEntry(config, who, facts).reasons.map((reason) => reason.code);
}

describe('evaluateEntry', () => {
  it('accepts a participant who reposted and follows, as the example requires', () => {
    assert.deepEqual(evaluateEntry(exampleCampaignConfig(now), participant, factsWith()), {
      eligible: true,
      reasons: [],
    });
  });

  it('lists every unmet rule, each with Japanese and English text', () => {
    const result = evaluateEntry(
      exampleCampaignConfig(now),
      participant,
      factsWith({ reposted: false, followsSender: false }),
    );
    assert.equal(result.eligible, false);
    assert.deepEqual(
      result.reasons.map((reason) => reason.code),
      ['repost_missing', 'follow_missing'],
    );
    for (const reason of result.reasons) {
      assert.ok(reason.ja.length > 0 && reason.en.length > 0);
    }
  });

  it('requires a like for a like rule', () => {
    assert.deepEqual(codesOf(configWithRules({ type: 'like' }), factsWith({ liked: false })), [
      'like_missing',
    ]);
  });

  it('requires following every extra account of a joint campaign', () => {
    const config = configWithRules({ type: 'follow', alsoUserIds: ['3001', '3002'] });
    assert.deepEqual(codesOf(config, factsWith({ followedUserIds: ['3001', '3002'] })), []);
    const result = evaluateEntry(config, participant, factsWith({ followedUserIds: ['3001'] }));
    assert.deepEqual(
      result.reasons.map((reason) => reason.code),
      ['follow_missing'],
    );
    assert.match(result.reasons[0]?.en ?? '', /3002/);
  });

  describe('reply rule', () => {
    const config = configWithRules({
      type: 'reply',
      keywords: ['欲しい', 'ほしい'],
      hashtags: ['#くじ当たれ', 'KujiCampaign'],
    });

    it('matches full-width, half-width and differently cased hashtags and keywords', () => {
      const text = '@brand ＃くじ当たれ #kujicampaign 絶対ﾎｼｲ…いや欲しい！';
      assert.deepEqual(codesOf(config, factsWith({ replyTexts: [text] })), []);
      const fullWidthLatin = '@brand #くじ当たれ ＃ＫＵＪＩＣＡＭＰＡＩＧＮ ほしい';
      assert.deepEqual(codesOf(config, factsWith({ replyTexts: [fullWidthLatin] })), []);
    });

    it('requires a reply', () => {
      assert.deepEqual(codesOf(config, factsWith()), ['reply_missing']);
    });

    it('names the missing hashtag', () => {
      const result = evaluateEntry(
        config,
        participant,
        factsWith({ replyTexts: ['#くじ当たれ 欲しい'] }),
      );
      assert.deepEqual(
        result.reasons.map((reason) => reason.code),
        ['reply_hashtag_missing'],
      );
      assert.match(result.reasons[0]?.en ?? '', /#kujicampaign/);
    });

    it('does not take a longer tag, a tag glued to a word or the bare word for the hashtag', () => {
      for (const text of [
        '#くじ当たれ2 #kujicampaign 欲しい',
        'abc#くじ当たれ #kujicampaign 欲しい',
        'くじ当たれ #kujicampaign 欲しい',
      ]) {
        assert.deepEqual(codesOf(config, factsWith({ replyTexts: [text] })), [
          'reply_hashtag_missing',
        ]);
      }
    });

    it('requires one of the keywords', () => {
      assert.deepEqual(
        codesOf(config, factsWith({ replyTexts: ['#くじ当たれ #KujiCampaign 応募します'] })),
        ['reply_keyword_missing'],
      );
    });

    it('needs one reply that meets every requirement and reports the closest one', () => {
      const replies = ['こんにちは', '#くじ当たれ #KujiCampaign'];
      assert.deepEqual(codesOf(config, factsWith({ replyTexts: replies })), [
        'reply_keyword_missing',
      ]);
      const withGood = [...replies, '#くじ当たれ #KujiCampaign ほしい！'];
      assert.deepEqual(codesOf(config, factsWith({ replyTexts: withGood })), []);
    });
  });

  describe('quote rule', () => {
    it('accepts any quote when it asks for no words', () => {
      const config = configWithRules({ type: 'quote' });
      assert.deepEqual(codesOf(config, factsWith({ quoteTexts: ['いいね'] })), []);
      assert.deepEqual(codesOf(config, factsWith()), ['quote_missing']);
    });

    it('checks the quote text for keywords and hashtags', () => {
      const config = configWithRules({ type: 'quote', keywords: ['参加'], hashtags: ['冬くじ'] });
      assert.deepEqual(codesOf(config, factsWith({ quoteTexts: ['参加します #冬くじ'] })), []);
      assert.deepEqual(codesOf(config, factsWith({ quoteTexts: ['参加します'] })), [
        'quote_hashtag_missing',
      ]);
      assert.deepEqual(codesOf(config, factsWith({ quoteTexts: ['#冬くじ'] })), [
        'quote_keyword_missing',
      ]);
    });
  });

  describe('dm_keyword rule', () => {
    const config = configWithRules({ type: 'dm_keyword', keyword: 'ｵｳﾎﾞ' });

    it('accepts a DM containing the keyword in any width', () => {
      assert.deepEqual(codesOf(config, factsWith({ dmTexts: ['こんにちは', 'オウボします'] })), []);
    });

    it('rejects when no DM contains the keyword', () => {
      assert.deepEqual(codesOf(config, factsWith({ dmTexts: ['こんにちは'] })), [
        'dm_keyword_missing',
      ]);
    });
  });

  describe('exclusions', () => {
    const config = configWith((input) => {
      input.exclusions = {
        staffUserIds: ['4001'],
        blockedUserIds: ['4002'],
        excludePreviousWinnersOf: ['campaign-summer'],
        maxEntriesPerUser: 2,
      };
      input.testAccounts = ['4003'];
    });

    it('excludes staff, blocklisted and test accounts', () => {
      assert.deepEqual(codesOf(config, factsWith(), { userId: '4001' }), ['staff_account']);
      assert.deepEqual(codesOf(config, factsWith(), { userId: '4002' }), ['blocklisted']);
      assert.deepEqual(codesOf(config, factsWith(), { userId: '4003' }), ['test_account']);
    });

    it('excludes protected and suspended accounts unless told not to', () => {
      const flags = factsWith({ profile: { protected: true, suspended: true } });
      assert.deepEqual(codesOf(config, flags), ['protected_account', 'suspended_account']);
      const lenient = configWith((input) => {
        input.exclusions = { excludeProtected: false, excludeSuspended: false };
      });
      assert.deepEqual(codesOf(lenient, flags), []);
    });

    it('allows entries up to the per-person limit and rejects the next as a duplicate', () => {
      assert.deepEqual(codesOf(config, factsWith({ acceptedEntryCount: 1 })), []);
      assert.deepEqual(codesOf(config, factsWith({ acceptedEntryCount: 2 })), [
        'entry_limit_reached',
      ]);
    });

    it('rejects a second entry under the default limit of one', () => {
      assert.deepEqual(codesOf(exampleCampaignConfig(now), factsWith({ acceptedEntryCount: 1 })), [
        'entry_limit_reached',
      ]);
    });

    it('excludes winners of the named earlier campaigns only', () => {
      assert.deepEqual(codesOf(config, factsWith({ wonCampaignIds: ['campaign-spring'] })), []);
      const result = evaluateEntry(
        config,
        participant,
        factsWith({ wonCampaignIds: ['campaign-spring', 'campaign-summer'] }),
      );
      assert.deepEqual(
        result.reasons.map((reason) => reason.code),
        ['previous_winner'],
      );
      assert.match(result.reasons[0]?.ja ?? '', /campaign-summer/);
    });
  });
});
