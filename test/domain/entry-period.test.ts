import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  campaignConfigSchema,
  exampleCampaignConfig,
  type CampaignConfig,
  type CampaignConfigInput,
} from '../../domain/campaign-config';
import {
  countEntries,
  decideParticipant,
  isWithinEntryPeriod,
  type ParticipantRecord,
  refusedDuplicateEntries,
} from '../../domain/eligibility';

const now = new Date('2026-11-22T03:00:00Z');
const participant = { userId: '2000000000000000001', username: 'hanako' };

function configWith(change: (input: CampaignConfigInput) => void): CampaignConfig {
  const input: CampaignConfigInput = structuredClone(exampleCampaignConfig(now));
  change(input);
  return campaignConfigSchema.parse(input);
}

const keywordCampaign = configWith((input) => {
  input.entryRules.all = [{ type: 'dm_keyword', keyword: '応募' }];
  input.testAccounts = [];
  input.exclusions = { maxEntriesPerUser: 1 };
});

function record(overrides: Partial<ParticipantRecord> = {}): ParticipantRecord {
  return {
    reposted: false,
    liked: false,
    replyTexts: [],
    quoteTexts: [],
    dmTexts: [],
    followsSender: false,
    followedUserIds: [],
    profile: { protected: false, suspended: false },
    acceptedEntryCount: 0,
    wonCampaignIds: [],
    sources: [],
    ...overrides,
  };
}

describe('isWithinEntryPeriod', () => {
  const schedule = { startAt: '2026-12-01T00:00:00.000Z', endAt: '2026-12-02T00:00:00.000Z' };

  it('takes both ends of the period in and nothing beyond them', () => {
    assert.equal(isWithinEntryPeriod(schedule, new Date(schedule.startAt)), true);
    assert.equal(isWithinEntryPeriod(schedule, new Date(schedule.endAt)), true);
    assert.equal(isWithinEntryPeriod(schedule, new Date('2026-11-30T23:59:59.999Z')), false);
    assert.equal(isWithinEntryPeriod(schedule, new Date('2026-12-02T00:00:00.001Z')), false);
  });

  it('counts an undated event (a polled repost or follow)', () => {
    assert.equal(isWithinEntryPeriod(schedule, null), true);
    assert.equal(isWithinEntryPeriod(schedule, undefined), true);
  });
});

describe('decideParticipant', () => {
  it('decides someone who only acted outside the period as outside it, with that reason alone', () => {
    const verdict = decideParticipant(
      keywordCampaign,
      participant,
      record({ outsidePeriodEvents: 1 }),
    );
    assert.equal(verdict.eligible, false);
    assert.deepEqual(verdict.reasons, [
      {
        code: 'outside_entry_period',
        ja: '応募期間外の応募です。',
        en: 'The entry was made outside the entry period.',
      },
    ]);
  });

  it('adds the reason to a shortfall when something came outside the period', () => {
    const verdict = decideParticipant(
      keywordCampaign,
      participant,
      record({ sources: ['dm_keyword'], dmTexts: ['こんにちは'], outsidePeriodEvents: 1 }),
    );
    assert.deepEqual(
      verdict.reasons.map((reason) => reason.code),
      ['dm_keyword_missing', 'outside_entry_period'],
    );
  });

  it('keeps an entry made in time eligible whatever came after the end', () => {
    const verdict = decideParticipant(
      keywordCampaign,
      participant,
      record({ sources: ['dm_keyword'], dmTexts: ['応募します'], outsidePeriodEvents: 2 }),
    );
    assert.deepEqual(verdict, { eligible: true, reasons: [] });
  });
});

describe('countEntries and refusedDuplicateEntries', () => {
  it('counts the DMs that carry the keyword, not every DM', () => {
    const facts = record({ dmTexts: ['こんにちは', '応募します', '応募！'] });
    assert.equal(countEntries(keywordCampaign, facts), 2);
    assert.equal(refusedDuplicateEntries(keywordCampaign, facts), 1);
  });

  it('counts replies that meet the rule, and nothing for follows and reposts', () => {
    const replies = configWith((input) => {
      input.entryRules.all = [{ type: 'follow' }, { type: 'reply', hashtags: ['#当たれ'] }];
      input.exclusions = { maxEntriesPerUser: 2 };
    });
    const facts = record({ replyTexts: ['#当たれ', '当たれ', '#当たれ 2', '#当たれ 3'] });
    assert.equal(countEntries(replies, facts), 3);
    assert.equal(refusedDuplicateEntries(replies, facts), 1);
    assert.equal(countEntries(replies, record({ followsSender: true })), 0);
  });
});
