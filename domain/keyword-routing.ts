/**
 * A DM keyword routes a participant's DM to one campaign. Two campaigns of one account whose
 * keywords can match the same DM (one keyword contains the other) and whose entry periods overlap
 * would both claim it, so preflight refuses the second one.
 */
import type { CampaignConfig } from './campaign-config';
import type { Finding } from './findings';
import { containsPhrase } from './text';

/** What routing reads of a configuration: its entry rules and its entry period. */
export interface KeywordRouting {
  entryRules: CampaignConfig['entryRules'];
  schedule: { startAt: string; endAt: string };
}

export interface OtherCampaign {
  id: string;
  name: string;
  config: KeywordRouting;
}

function dmKeywords(config: Pick<CampaignConfig, 'entryRules'>): string[] {
  return config.entryRules.all.flatMap((rule) =>
    rule.type === 'dm_keyword' ? [rule.keyword] : [],
  );
}

/** Whether one DM can hold both keywords' matches: one contains the other, once normalised. */
export function keywordsCollide(a: string, b: string): boolean {
  return containsPhrase(a, b) || containsPhrase(b, a);
}

function periodsOverlap(a: KeywordRouting, b: KeywordRouting): boolean {
  return (
    Date.parse(a.schedule.startAt) <= Date.parse(b.schedule.endAt) &&
    Date.parse(b.schedule.startAt) <= Date.parse(a.schedule.endAt)
  );
}

/** One blocking finding per other campaign of the account that would take the same DMs. */
export function keywordOverlapFindings(
  config: KeywordRouting,
  others: readonly OtherCampaign[],
): Finding[] {
  const mine = dmKeywords(config);
  if (mine.length === 0) return [];
  return others.flatMap((other) => {
    if (!periodsOverlap(config, other.config)) return [];
    const pairs = mine.flatMap((keyword) =>
      dmKeywords(other.config)
        .filter((theirs) => keywordsCollide(keyword, theirs))
        .map((theirs) => ({ keyword, theirs })),
    );
    const [pair] = pairs;
    if (!pair) return [];
    return [
      {
        code: 'dm_keyword_overlap',
        severity: 'blocking' as const,
        path: 'entryRules',
        en: `The DM keyword "${pair.keyword}" also enters campaign "${other.name}" (${other.id}) ("${pair.theirs}"), whose entry period overlaps this one: a participant's DM would enter both. Choose another keyword or periods that do not overlap.`,
        ja: `DMキーワード「${pair.keyword}」は、応募期間が重なるキャンペーン「${other.name}」（${other.id}）のキーワード「${pair.theirs}」と同じDMに一致します。参加者のDMが両方に応募されてしまうため、別のキーワードにするか期間が重ならないようにしてください。`,
      },
    ];
  });
}
