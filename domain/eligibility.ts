import { type CampaignConfig, type EntryRule } from './campaign-config';
import { containsPhrase, extractHashtags, normalizeHashtag } from './text';

export interface Participant {
  /** X user id. */
  userId: string;
  username?: string;
}

/** What Kuji knows about one participant when it judges an entry (gathered by activities). */
export interface ParticipantFacts {
  /** Engagements with the campaign post. */
  reposted: boolean;
  liked: boolean;
  /** Texts of the participant's replies to the campaign post. */
  replyTexts: readonly string[];
  /** Texts of the participant's quote posts of the campaign post. */
  quoteTexts: readonly string[];
  /** Texts of DMs the participant sent to the sender account since the campaign started. */
  dmTexts: readonly string[];
  followsSender: boolean;
  /** Which of the follow rule's `alsoUserIds` the participant follows. */
  followedUserIds: readonly string[];
  profile: { protected: boolean; suspended: boolean };
  /** Entries of this participant in this campaign already accepted, not counting this one. */
  acceptedEntryCount: number;
  /** Campaign ids in which this participant has won. */
  wonCampaignIds: readonly string[];
}

export type IneligibilityCode =
  | 'repost_missing'
  | 'follow_missing'
  | 'like_missing'
  | 'reply_missing'
  | 'reply_keyword_missing'
  | 'reply_hashtag_missing'
  | 'quote_missing'
  | 'quote_keyword_missing'
  | 'quote_hashtag_missing'
  | 'dm_keyword_missing'
  | 'test_account'
  | 'staff_account'
  | 'blocklisted'
  | 'protected_account'
  | 'suspended_account'
  | 'entry_limit_reached'
  | 'previous_winner'
  | 'outside_entry_period';

export interface IneligibilityReason {
  code: IneligibilityCode;
  ja: string;
  en: string;
}

export interface EligibilityResult {
  eligible: boolean;
  reasons: IneligibilityReason[];
}

/** Checks one entry against every rule and exclusion and lists every reason it fails. */
export function evaluateEntry(
  config: CampaignConfig,
  participant: Participant,
  facts: ParticipantFacts,
): EligibilityResult {
  const reasons = [
    ...config.entryRules.all.flatMap((rule) => checkRule(rule, facts)),
    ...checkExclusions(config, participant, facts),
  ];
  return { eligible: reasons.length === 0, reasons };
}

/** What a participant's stored facts add up to besides the checks: entries outside the period. */
export interface ParticipantRecord extends ParticipantFacts {
  /** How the participant engaged within the entry period (empty: nothing in the period). */
  sources: readonly string[];
  /** Events of this participant dated before the start or after the end of the entry period. */
  outsidePeriodEvents?: number;
}

/**
 * Decides a participant: one who did nothing within the entry period but did something outside
 * it (a DM a minute after the end) is ineligible for that reason alone; anyone else is judged
 * by every rule and exclusion, and one who falls short and also acted outside the period (a
 * follow in time, the keyword DM too late) is told that too.
 */
export function decideParticipant(
  config: CampaignConfig,
  participant: Participant,
  record: ParticipantRecord,
): EligibilityResult {
  const actedOutside = (record.outsidePeriodEvents ?? 0) > 0;
  if (record.sources.length === 0 && actedOutside) {
    return { eligible: false, reasons: [reasonFor.outsidePeriod()] };
  }
  const verdict = evaluateEntry(config, participant, record);
  if (verdict.eligible || !actedOutside) return verdict;
  return { eligible: false, reasons: [...verdict.reasons, reasonFor.outsidePeriod()] };
}

/** Whether X's date of an event falls within the entry period; an undated event counts. */
export function isWithinEntryPeriod(
  schedule: { startAt: string; endAt: string },
  occurredAt: Date | null | undefined,
): boolean {
  if (!occurredAt) return true;
  const at = occurredAt.getTime();
  return at >= Date.parse(schedule.startAt) && at <= Date.parse(schedule.endAt);
}

/**
 * Entries beyond the campaign's per-person limit: refused as duplicates. They give no further
 * chance and take none away: a person who sends the keyword twice keeps the one entry that counts.
 */
export function refusedDuplicateEntries(config: CampaignConfig, facts: ParticipantFacts): number {
  return Math.max(0, countEntries(config, facts) - config.exclusions.maxEntriesPerUser);
}

/** The reason a refused duplicate entry carries (the participant's own entry still counts). */
export function duplicateEntryReason(config: CampaignConfig): IneligibilityReason {
  return reasonFor.entryLimit(config.exclusions.maxEntriesPerUser);
}

/**
 * How many entries the facts hold: the most valid entry actions of any rule that an entry is
 * made by (a DM with the keyword, a reply or quote meeting its requirements). Follows, reposts
 * and likes happen once per person, so a campaign with only those holds one entry at most.
 */
export function countEntries(config: CampaignConfig, facts: ParticipantFacts): number {
  let most = 0;
  for (const rule of config.entryRules.all) {
    if (rule.type === 'dm_keyword') {
      most = Math.max(
        most,
        facts.dmTexts.filter((text) => containsPhrase(text, rule.keyword)).length,
      );
    } else if (rule.type === 'reply' || rule.type === 'quote') {
      const texts = rule.type === 'reply' ? facts.replyTexts : facts.quoteTexts;
      most = Math.max(
        most,
        texts.filter((text) => postProblems(rule.type, text, rule).length === 0).length,
      );
    }
  }
  return most;
}

function checkRule(rule: EntryRule, facts: ParticipantFacts): IneligibilityReason[] {
  switch (rule.type) {
    case 'repost':
      return facts.reposted ? [] : [reasonFor.repostMissing()];
    case 'like':
      return facts.liked ? [] : [reasonFor.likeMissing()];
    case 'follow': {
      const missing = (rule.alsoUserIds ?? []).filter((id) => !facts.followedUserIds.includes(id));
      return facts.followsSender && missing.length === 0 ? [] : [reasonFor.followMissing(missing)];
    }
    case 'reply':
      return checkPosts('reply', facts.replyTexts, rule);
    case 'quote':
      return checkPosts('quote', facts.quoteTexts, rule);
    case 'dm_keyword':
      return facts.dmTexts.some((text) => containsPhrase(text, rule.keyword))
        ? []
        : [reasonFor.dmKeywordMissing(rule.keyword)];
  }
}

interface TextRequirements {
  keywords?: readonly string[];
  hashtags?: readonly string[];
}

/**
 * One post must carry every hashtag and at least one keyword; when none does, the reasons
 * describe the post that came closest, so the operator can tell the participant what was missing.
 */
function checkPosts(
  kind: 'reply' | 'quote',
  texts: readonly string[],
  requirements: TextRequirements,
): IneligibilityReason[] {
  if (texts.length === 0)
    return [kind === 'reply' ? reasonFor.replyMissing() : reasonFor.quoteMissing()];
  const problemsPerPost = texts.map((text) => postProblems(kind, text, requirements));
  const closest = problemsPerPost.reduce((best, problems) =>
    problems.length < best.length ? problems : best,
  );
  return closest;
}

function postProblems(
  kind: 'reply' | 'quote',
  text: string,
  { keywords = [], hashtags = [] }: TextRequirements,
): IneligibilityReason[] {
  const problems: IneligibilityReason[] = [];
  const present = extractHashtags(text);
  const missingTags = hashtags.filter((tag) => !present.includes(normalizeHashtag(tag)));
  if (missingTags.length > 0) problems.push(reasonFor.hashtagMissing(kind, missingTags));
  if (keywords.length > 0 && !keywords.some((keyword) => containsPhrase(text, keyword))) {
    problems.push(reasonFor.keywordMissing(kind, keywords));
  }
  return problems;
}

function checkExclusions(
  config: CampaignConfig,
  participant: Participant,
  facts: ParticipantFacts,
): IneligibilityReason[] {
  const { exclusions } = config;
  const reasons: IneligibilityReason[] = [];
  if (config.testAccounts.includes(participant.userId)) reasons.push(reasonFor.testAccount());
  if (exclusions.staffUserIds.includes(participant.userId)) reasons.push(reasonFor.staffAccount());
  if (exclusions.blockedUserIds.includes(participant.userId)) reasons.push(reasonFor.blocklisted());
  if (exclusions.excludeProtected && facts.profile.protected) reasons.push(reasonFor.protected());
  if (exclusions.excludeSuspended && facts.profile.suspended) reasons.push(reasonFor.suspended());
  if (facts.acceptedEntryCount >= exclusions.maxEntriesPerUser) {
    reasons.push(reasonFor.entryLimit(exclusions.maxEntriesPerUser));
  }
  const earlierWins = exclusions.excludePreviousWinnersOf.filter((id) =>
    facts.wonCampaignIds.includes(id),
  );
  if (earlierWins.length > 0) reasons.push(reasonFor.previousWinner(earlierWins));
  return reasons;
}

const kindJa = { reply: 'リプライ', quote: '引用ポスト' } as const;
const quoted = (words: readonly string[]) => words.map((w) => `「${w}」`).join('');
const hashtagList = (tags: readonly string[]) =>
  tags.map((tag) => `#${normalizeHashtag(tag)}`).join(' ');

const reasonFor = {
  repostMissing: (): IneligibilityReason => ({
    code: 'repost_missing',
    ja: 'キャンペーン投稿をリポストしていません。',
    en: 'Has not reposted the campaign post.',
  }),
  likeMissing: (): IneligibilityReason => ({
    code: 'like_missing',
    ja: 'キャンペーン投稿にいいねしていません。',
    en: 'Has not liked the campaign post.',
  }),
  followMissing: (missingUserIds: readonly string[]): IneligibilityReason => ({
    code: 'follow_missing',
    ja:
      'キャンペーンアカウントをフォローしていません' +
      (missingUserIds.length ? `（未フォロー: ${missingUserIds.join(', ')}）。` : '。'),
    en:
      'Does not follow the campaign account' +
      (missingUserIds.length ? ` (not followed: ${missingUserIds.join(', ')}).` : '.'),
  }),
  replyMissing: (): IneligibilityReason => ({
    code: 'reply_missing',
    ja: 'キャンペーン投稿へのリプライがありません。',
    en: 'Has not replied to the campaign post.',
  }),
  quoteMissing: (): IneligibilityReason => ({
    code: 'quote_missing',
    ja: 'キャンペーン投稿の引用ポストがありません。',
    en: 'Has not quoted the campaign post.',
  }),
  hashtagMissing: (kind: 'reply' | 'quote', tags: readonly string[]): IneligibilityReason => ({
    code: kind === 'reply' ? 'reply_hashtag_missing' : 'quote_hashtag_missing',
    ja: `${kindJa[kind]}に必要なハッシュタグがありません: ${hashtagList(tags)}`,
    en: `The ${kind} lacks the required hashtag(s): ${hashtagList(tags)}`,
  }),
  keywordMissing: (kind: 'reply' | 'quote', keywords: readonly string[]): IneligibilityReason => ({
    code: kind === 'reply' ? 'reply_keyword_missing' : 'quote_keyword_missing',
    ja: `${kindJa[kind]}にキーワード${quoted(keywords)}のいずれも含まれていません。`,
    en: `The ${kind} contains none of the keywords: ${keywords.join(', ')}`,
  }),
  dmKeywordMissing: (keyword: string): IneligibilityReason => ({
    code: 'dm_keyword_missing',
    ja: `キーワード「${keyword}」を含むDMが届いていません。`,
    en: `No DM containing the keyword "${keyword}" was received.`,
  }),
  testAccount: (): IneligibilityReason => ({
    code: 'test_account',
    ja: 'リハーサル用のテストアカウントです。',
    en: 'Is a rehearsal test account.',
  }),
  staffAccount: (): IneligibilityReason => ({
    code: 'staff_account',
    ja: '関係者（スタッフ）アカウントは対象外です。',
    en: 'Staff accounts are excluded.',
  }),
  blocklisted: (): IneligibilityReason => ({
    code: 'blocklisted',
    ja: 'ブロックリストに登録されています。',
    en: 'Is on the blocklist.',
  }),
  protected: (): IneligibilityReason => ({
    code: 'protected_account',
    ja: '非公開（鍵）アカウントは対象外です。',
    en: 'Protected accounts are excluded.',
  }),
  suspended: (): IneligibilityReason => ({
    code: 'suspended_account',
    ja: '凍結されたアカウントは対象外です。',
    en: 'Suspended accounts are excluded.',
  }),
  entryLimit: (max: number): IneligibilityReason => ({
    code: 'entry_limit_reached',
    ja: `応募は1人${max}回までです（重複応募）。`,
    en: `Only ${max} ${max === 1 ? 'entry' : 'entries'} per person are allowed (duplicate entry).`,
  }),
  outsidePeriod: (): IneligibilityReason => ({
    code: 'outside_entry_period',
    ja: '応募期間外の応募です。',
    en: 'The entry was made outside the entry period.',
  }),
  previousWinner: (campaignIds: readonly string[]): IneligibilityReason => ({
    code: 'previous_winner',
    ja: `過去のキャンペーン（${campaignIds.join(', ')}）の当選者は対象外です。`,
    en: `Winners of earlier campaigns (${campaignIds.join(', ')}) are excluded.`,
  }),
};
