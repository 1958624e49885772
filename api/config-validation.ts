/**
 * What POST /v1/campaign-configs/validate answers: the configuration's issues (the very schema and
 * checks POST /v1/campaigns applies) in Japanese and English, the 景品表示法 check preflight runs,
 * and every message template rendered with sample variables. Pure but for the account lookup,
 * which the route does.
 */
import { z } from 'zod';
import {
  campaignConfigSchema,
  complianceSchema,
  type PremiumKind,
  prizeSchema,
  type TemplateKind,
  templateChannels,
  type TemplateChannel,
} from '../domain/campaign-config';
import { checkPremiumCompliance, type ComplianceFinding } from '../domain/compliance';
import { maxPostWeightedLength, weightedPostLength } from '../domain/post-length';
import { resultUrl } from '../domain/result-links';
import { renderTemplate, renderWinMessage, type TemplateVars } from '../domain/templates';
import { verificationCode } from '../domain/verification';
import {
  choiceText,
  type ConfigIssueText,
  kujiIssueText,
  type LocalizedText,
  requiredText,
} from './config-issue-messages';

export interface ConfigIssue extends ConfigIssueText {
  /** Dotted path inside the configuration, e.g. `prizes.0.odds`; '' for the whole of it. */
  path: string;
}

const englishLocale = z.locales.en();
const japaneseLocale = z.locales.ja();

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The issues of `config` under campaignConfigSchema. It is parsed twice, with zod's English and
 * Japanese locales as the per-parse error map: a schema's own message outranks that map, so an
 * issue whose text is the same both times is Kuji's (translated by config-issue-messages.ts),
 * and one whose text differs is zod's, already in both languages.
 */
export function configIssues(config: unknown): ConfigIssue[] {
  const english = campaignConfigSchema.safeParse(config, { error: englishLocale.localeError });
  if (english.success) return [];
  const japanese = campaignConfigSchema.safeParse(config, { error: japaneseLocale.localeError });
  const japaneseIssues = japanese.success ? [] : japanese.error.issues;
  return english.error.issues.map((issue, index) => {
    const path = issue.path.map(String).join('.');
    const ja = japaneseIssues[index]?.message ?? issue.message;
    if (ja === issue.message) return { path, ...kujiIssueText(issue.message) };
    if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      return { path, code: 'invalid_choice', message: choiceText(issue.options) };
    }
    const value = valueAt(config, issue.path);
    const blank = issue.code === 'too_small' && issue.origin === 'string' && value === '';
    if ((issue.code === 'invalid_type' && value === undefined) || blank) {
      return { path, code: 'required', message: requiredText };
    }
    return { path, code: issue.code, message: { ja, en: issue.message } };
  });
}

/** The sender account named in the configuration does not exist (POST /v1/campaigns refuses it). */
export function unknownAccountIssue(accountId: string): ConfigIssue {
  return {
    path: 'accountId',
    code: 'unknown_account',
    message: {
      ja: `送信アカウント「${accountId}」は存在しません。アカウント画面で登録してください`,
      en: `Sender account '${accountId}' does not exist; create it first (POST /v1/accounts)`,
    },
  };
}

export interface ComplianceCheck {
  /** false: the compliance section or the prizes are not valid yet, so nothing was checked. */
  checked: boolean;
  ok: boolean;
  premiumKind: PremiumKind | null;
  /** Value × stock over all prizes, in yen. */
  totalValueYen: number | null;
  /** The most valuable single prize, in yen. */
  maxPrizeValueYen: number | null;
  findings: (Omit<ComplianceFinding, 'ja' | 'en'> & { message: LocalizedText })[];
  message: LocalizedText;
}

const premiumKindNames: Record<PremiumKind, LocalizedText> = {
  open: { ja: 'オープン懸賞', en: 'open sweepstakes' },
  general: { ja: '一般懸賞', en: 'general sweepstakes (一般懸賞)' },
  joint: { ja: '共同懸賞', en: 'joint sweepstakes (共同懸賞)' },
  all_comers: { ja: '総付景品', en: 'all-comers premium (総付景品)' },
};

const yen = (amount: number) => `${amount.toLocaleString('en-US')}円`;
const yenEn = (amount: number) => `¥${amount.toLocaleString('en-US')}`;

/**
 * What the check reads of each prize, with the prize's own bounds: a prize whose name is still
 * empty (or whose codes are still wrong) is checked all the same.
 */
const compliancePrizesSchema = z
  .array(
    prizeSchema.pick({ stock: true, valueYen: true }).extend({ id: z.string(), name: z.string() }),
  )
  .min(1);

/**
 * The 景品表示法 check of preflight (domain/compliance.ts) on whatever of the configuration is
 * valid already: it needs only the compliance section and the prizes, so it runs live while the
 * rest of the form is still being filled in.
 */
export function complianceCheck(config: unknown): ComplianceCheck {
  const section = complianceSchema.safeParse(valueAt(config, ['compliance']));
  const prizes = compliancePrizesSchema.safeParse(valueAt(config, ['prizes']));
  if (!section.success || !prizes.success) {
    return {
      checked: false,
      ok: false,
      premiumKind: null,
      totalValueYen: null,
      maxPrizeValueYen: null,
      findings: [],
      message: {
        ja: '景品表示法のチェックには、景品類の区分（compliance.premiumKind）と景品（価額・在庫）の入力が必要です。',
        en: 'The 景品表示法 (Premiums Act) check needs the premium kind (compliance.premiumKind) and the prizes (value, stock).',
      },
    };
  }
  const { premiumKind } = section.data;
  const result = checkPremiumCompliance({
    ...section.data,
    prizes: prizes.data.map(({ id, name, valueYen, stock }) => ({ id, name, valueYen, stock })),
  });
  const totalValueYen = prizes.data.reduce((sum, prize) => sum + prize.valueYen * prize.stock, 0);
  const maxPrizeValueYen = Math.max(...prizes.data.map((prize) => prize.valueYen));
  const kind = premiumKindNames[premiumKind];
  const blocking = result.findings.filter((finding) => finding.severity === 'blocking').length;
  const message: LocalizedText = result.ok
    ? {
        ja: `${kind.ja}として、景品の最高額${yen(maxPrizeValueYen)}・景品総額${yen(totalValueYen)}は景品表示法の上限内です。`,
        en: `As a ${kind.en}, the top prize of ${yenEn(maxPrizeValueYen)} and the prize total of ${yenEn(totalValueYen)} are within the 景品表示法 caps.`,
      }
    : {
        ja: `${kind.ja}として、景品表示法の確認で開始を止める指摘が${blocking}件あります。解消するまで承認できません。`,
        en: `As a ${kind.en}, the 景品表示法 check has ${blocking} blocking finding(s); the campaign cannot be approved until they are resolved.`,
      };
  return {
    checked: true,
    ok: result.ok,
    premiumKind,
    totalValueYen,
    maxPrizeValueYen,
    findings: result.findings.map(({ ja, en, ...rest }) => ({ ...rest, message: { ja, en } })),
    message,
  };
}

export interface TemplatePreview {
  /** `win.dm`, `lose.reply`, `followUp.dm`… */
  template: `${TemplateKind}.${TemplateChannel}`;
  /** The text a recipient would get; null when the template cannot be rendered. */
  text: string | null;
  /** Why it cannot be rendered: placeholders that are no variable, or not one this message has. */
  unknownVariables: string[];
  /** Replies: the length as X counts it (Japanese 2, a URL 23) and X's limit. */
  weightedLength: number | null;
  maxWeightedLength: number | null;
}

const sampleUserId = '1790000000000000000';
const sampleSeed = 'kuji-preview-sample-seed';

/** The values a preview fills in: a sample participant, the first prize, its first code. */
export function sampleVariables(
  config: unknown,
  publicBaseUrl: string,
): TemplateVars & { verificationCode: string } {
  const prizes = valueAt(config, ['prizes']);
  const first: unknown = Array.isArray(prizes) ? prizes[0] : undefined;
  const name = valueAt(first, ['name']);
  const codes = valueAt(first, ['codes']);
  const code: unknown = Array.isArray(codes) ? codes[0] : undefined;
  return {
    name: '@kuji_sample',
    prize: typeof name === 'string' && name.trim() !== '' ? name : 'サンプル景品',
    code: typeof code === 'string' ? code : 'SAMPLE-0001',
    resultUrl: resultUrl(publicBaseUrl, 'campaign-preview', sampleUserId, sampleSeed),
    verificationCode: verificationCode(sampleSeed, sampleUserId),
  };
}

const previewKinds: readonly TemplateKind[] = ['win', 'lose', 'followUp'];

/** Every template present as text, rendered the way delivery renders it (win: with its code line). */
export function templatePreviews(
  config: unknown,
  vars: TemplateVars & { verificationCode: string },
): TemplatePreview[] {
  const previews: TemplatePreview[] = [];
  for (const kind of previewKinds) {
    for (const channel of templateChannels) {
      const template = valueAt(config, ['templates', kind, channel]);
      if (typeof template !== 'string' || template === '') continue;
      const rendered =
        kind === 'win' ? renderWinMessage(template, vars) : renderTemplate(template, vars);
      const text = rendered.ok ? rendered.text : null;
      const reply = channel === 'reply';
      previews.push({
        template: `${kind}.${channel}`,
        text,
        unknownVariables: rendered.ok ? [] : [...rendered.unknown, ...rendered.missing],
        weightedLength: reply && text !== null ? weightedPostLength(text) : null,
        maxWeightedLength: reply ? maxPostWeightedLength : null,
      });
    }
  }
  return previews;
}
