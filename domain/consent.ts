import {
  type CampaignConfig,
  type EntryRuleType,
  type TemplateChannel,
  type TemplateSet,
} from './campaign-config';
import { type Finding } from './findings';

/**
 * What X's 2026 rules let us send a participant, by how they reached us:
 * `dm_opt_in` — they DMed the account (automated DMs allowed);
 * `summoned` — they replied to, mentioned or quoted us (an automated reply allowed);
 * `none` — a repost, follow or like (neither; enterprise access may still reply).
 */
export type ConsentBasis = 'dm_opt_in' | 'summoned' | 'none';
export type EntrySource = EntryRuleType | 'mention';
export type ApiTier = 'self_serve' | 'enterprise';
export type DeliveryChannel = 'dm' | 'reply' | 'result_page';

const basisBySource: Record<EntrySource, ConsentBasis> = {
  dm_keyword: 'dm_opt_in',
  reply: 'summoned',
  mention: 'summoned',
  quote: 'summoned',
  repost: 'none',
  follow: 'none',
  like: 'none',
};

const basisStrength: Record<ConsentBasis, number> = { none: 0, summoned: 1, dm_opt_in: 2 };

export function consentBasisFor(source: EntrySource): ConsentBasis {
  return basisBySource[source];
}

/** A participant who entered through several sources keeps the most permissive basis. */
export function strongestConsentBasis(sources: Iterable<EntrySource>): ConsentBasis {
  let strongest: ConsentBasis = 'none';
  for (const source of sources) {
    const basis = consentBasisFor(source);
    if (basisStrength[basis] > basisStrength[strongest]) strongest = basis;
  }
  return strongest;
}

export interface ChannelPlanInput {
  consentBasis: ConsentBasis;
  apiTier: ApiTier;
  /** False when the recipient's DM settings are known to refuse us; unknown counts as open. */
  dmOpen?: boolean;
  /** X allows one automated reply per interaction; count the ones already sent to it. */
  automatedRepliesSent?: number;
  /** Channels the message has a template for; both by default. */
  templateChannels?: readonly TemplateChannel[];
}

export interface ChannelPlan {
  channel: DeliveryChannel;
  /**
   * For replies: to the participant's own post (reply, quote, mention), or — enterprise only,
   * without a summons — under the campaign post, mentioning them.
   */
  replyTo?: 'participant_post' | 'campaign_post';
  reason: { ja: string; en: string };
}

/** Picks the channel X's rules allow for one recipient, and says why, for the audit trail. */
export function planChannel(input: ChannelPlanInput): ChannelPlan {
  const { consentBasis, apiTier, dmOpen, automatedRepliesSent = 0 } = input;
  const templates = input.templateChannels ?? ['dm', 'reply'];

  if (consentBasis === 'dm_opt_in' && dmOpen !== false && templates.includes('dm')) {
    return { channel: 'dm', reason: reasons.dmOptIn };
  }
  const mayReply = consentBasis === 'summoned' || apiTier === 'enterprise';
  if (mayReply && automatedRepliesSent === 0 && templates.includes('reply')) {
    return consentBasis === 'summoned'
      ? { channel: 'reply', replyTo: 'participant_post', reason: reasons.summoned }
      : { channel: 'reply', replyTo: 'campaign_post', reason: reasons.enterpriseReply };
  }

  if (consentBasis === 'dm_opt_in' && dmOpen === false) {
    return { channel: 'result_page', reason: reasons.dmClosed };
  }
  if (mayReply && automatedRepliesSent > 0) {
    return { channel: 'result_page', reason: reasons.replyAlreadySent };
  }
  if (mayReply || consentBasis === 'dm_opt_in') {
    return { channel: 'result_page', reason: reasons.noTemplate };
  }
  return { channel: 'result_page', reason: reasons.noConsent };
}

const reasons = {
  dmOptIn: {
    ja: '参加者がDMを送ってくれた（オプトイン）ため、DMで通知します。',
    en: 'The participant DMed the account (opt-in), so an automated DM is allowed.',
  },
  summoned: {
    ja: '参加者がリプライ・メンション・引用で呼びかけたため、その投稿に1回だけ返信します。',
    en: 'The participant replied, mentioned or quoted the account, so one automated reply to that post is allowed.',
  },
  enterpriseReply: {
    ja: 'Enterprise APIは呼びかけ不要で返信できるため、キャンペーン投稿への返信でメンションして通知します。',
    en: 'Enterprise access is exempt from the summoned-only reply rule, so a reply under the campaign post mentions the participant.',
  },
  dmClosed: {
    ja: '参加者のDM設定によりDMを送れないため、結果ページのみで通知します。',
    en: "The participant's DM settings refuse our DMs, so the result is only on the result page.",
  },
  replyAlreadySent: {
    ja: 'このやり取りには既に自動返信を1回送っているため（Xの上限）、結果ページのみで通知します。',
    en: 'An automated reply was already sent for this interaction (X allows one), so the result is only on the result page.',
  },
  noTemplate: {
    ja: '許可されたチャネルのテンプレートがないため、結果ページのみで通知します。',
    en: 'There is no template for the channel X allows here, so the result is only on the result page.',
  },
  noConsent: {
    ja: 'リポスト・フォロー・いいねだけの参加者には自動DMも自動返信も送れないため（Xの規約）、結果ページのみで通知します。',
    en: 'Participants who only reposted, followed or liked may receive neither automated DMs nor (self-serve) automated replies, so the result is only on the result page.',
  },
} as const;

export interface RuleReach {
  ruleIndex: number;
  type: EntryRuleType;
  consentBasis: ConsentBasis;
  channel: DeliveryChannel;
}

export interface ReachabilitySummary {
  /** The basis every entrant has: all rules must hold, so the strongest rule decides. */
  consentBasis: ConsentBasis;
  /** How winners will be told. */
  winners: ChannelPlan;
  rules: RuleReach[];
  findings: Finding[];
}

function channelsWithText(set: TemplateSet | undefined): TemplateChannel[] {
  return set ? (['dm', 'reply'] as const).filter((channel) => set[channel] !== undefined) : [];
}

/** The campaign's public page, where participants sign in with X to see their result. */
export interface CampaignPage {
  campaignId: string;
  /** PUBLIC_BASE_URL; without it the page is given as a path. */
  publicBaseUrl?: string;
}

/** `${PUBLIC_BASE_URL}/c/<campaignId>` (a trailing slash on the base is not doubled). */
export function campaignPageUrl({ campaignId, publicBaseUrl = '' }: CampaignPage): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/c/${encodeURIComponent(campaignId)}`;
}

/** Kuji's public page that checks a message's verification code. */
export function verifyPageUrl({ publicBaseUrl = '' }: CampaignPage): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/verify`;
}

/** Preflight: can this campaign tell its winners lawfully, and through which channel? */
export function reachabilitySummary(
  config: CampaignConfig,
  tier: ApiTier,
  page: CampaignPage,
): ReachabilitySummary {
  const winTemplates = channelsWithText(config.templates.win);
  const rules = config.entryRules.all.map((rule, ruleIndex): RuleReach => {
    const consentBasis = consentBasisFor(rule.type);
    const plan = planChannel({ consentBasis, apiTier: tier, templateChannels: winTemplates });
    return { ruleIndex, type: rule.type, consentBasis, channel: plan.channel };
  });
  const consentBasis = strongestConsentBasis(config.entryRules.all.map((rule) => rule.type));
  const winners = planChannel({ consentBasis, apiTier: tier, templateChannels: winTemplates });

  const findings: Finding[] = [];
  if (winners.channel === 'result_page') {
    findings.push(unreachableWinners(config, tier, consentBasis, page));
  }
  if (config.entryRules.all.some((rule) => rule.type === 'follow' || rule.type === 'repost')) {
    findings.push(engagementManipulationNotice);
  }
  if (winners.channel === 'dm') findings.push(dmMayBeClosedNotice);
  return { consentBasis, winners, rules, findings };
}

function unreachableWinners(
  config: CampaignConfig,
  tier: ApiTier,
  basis: ConsentBasis,
  page: CampaignPage,
): Finding {
  const allowedChannel: TemplateChannel | undefined =
    basis === 'dm_opt_in'
      ? 'dm'
      : basis === 'summoned' || tier === 'enterprise'
        ? 'reply'
        : undefined;
  if (allowedChannel) {
    return {
      code: 'winner_template_missing',
      severity: 'blocking',
      path: `templates.win.${allowedChannel}`,
      ja: `当選者には${allowedChannel === 'dm' ? 'DM' : 'リプライ'}で通知できますが、そのテンプレート（templates.win.${allowedChannel}）がありません。`,
      en: `Winners can be told by ${allowedChannel}, but templates.win.${allowedChannel} is missing.`,
    };
  }
  return winnersOnResultPage(config, page);
}

/**
 * A follow or repost gives no consent to DM or reply (X's rules), so winners learn their result
 * on the campaign's page after signing in with X — lawful, as long as the campaign post says
 * where. The finding gives the sentence to put in the post, in both languages.
 */
function winnersOnResultPage(config: CampaignConfig, page: CampaignPage): Finding {
  const types = config.entryRules.all.map((rule) => rule.type).join(', ');
  const url = campaignPageUrl(page);
  const verifyUrl = verifyPageUrl(page);
  const hours = config.claim ? config.schedule.claimDeadlineHours : undefined;
  const postJa =
    `結果は ${url} でXにサインインしてご確認ください。` +
    (hours === undefined
      ? ''
      : `当選した方は${hours}時間以内に同じページで受け取り手続きをしてください（期限を過ぎると補欠の方に繰り上がります）。`) +
    `当選のお知らせには確認コードが付いており、${verifyUrl} で本物か確かめられます。`;
  const postEn =
    `See your result by signing in with X at ${url}.` +
    (hours === undefined
      ? ''
      : ` Winners claim their prize on that page within ${hours} hours (after that it goes to an alternate).`) +
    ` Genuine win messages carry a verification code you can check at ${verifyUrl}.`;
  return {
    code: 'winners_on_result_page',
    severity: 'info',
    path: 'entryRules',
    ja:
      `応募条件（${types}）ではXの規約上、当選者にDMもリプライも送れないため、当選者は結果を` +
      `キャンペーンページ ${url} で「Xでサインイン」して確認します。キャンペーン投稿に次の一文を入れてください: 「${postJa}」`,
    en:
      `With these entry rules (${types}) X's rules allow neither DMs nor replies to winners, so ` +
      `winners see their result on the campaign page ${url} after signing in with X. Put this ` +
      `in the campaign post: "${postEn}"`,
  };
}

const engagementManipulationNotice: Finding = {
  code: 'engagement_manipulation_risk',
  severity: 'warning',
  path: 'entryRules',
  ja: 'フォローやリポストを応募条件にする懸賞は、Xの規約でエンゲージメント操作とみなされることがあります。',
  en: 'X may treat giveaways that require follows or reposts as engagement manipulation.',
};

const dmMayBeClosedNotice: Finding = {
  code: 'dm_may_be_closed',
  severity: 'info',
  ja: 'DM設定を閉じた当選者には結果ページのみで通知されます。',
  en: 'Winners who close their DMs will only see their result on the result page.',
};
