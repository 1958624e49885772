/**
 * How X counts a post's length (twitter-text v3): 280 weighted characters, where a URL counts
 * 23 whatever its length, Latin and most punctuation 1, and everything else — Japanese, emoji —
 * 2. A reply over the limit is refused by X, so preflight checks templates with this count.
 */
import type { CampaignConfig } from './campaign-config';
import type { Finding } from './findings';
import { renderTemplate, renderWinMessage, type TemplateVars } from './templates';

/** X's limit for a post or reply, in weighted characters. */
export const maxPostWeightedLength = 280;
/** Every URL is shortened to a t.co link of this weight. */
const urlWeight = 23;
const urlPattern = /https?:\/\/\S+/g;

/** Code point ranges that weigh 1 (twitter-text v3 config); everything else weighs 2. */
const lightRanges: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

function weightOf(codePoint: number): number {
  return lightRanges.some(([from, to]) => codePoint >= from && codePoint <= to) ? 1 : 2;
}

/** The weighted length of `text` as X counts a post. */
export function weightedPostLength(text: string): number {
  const urls = text.match(urlPattern) ?? [];
  let length = urls.length * urlWeight;
  for (const char of text.replace(urlPattern, '')) length += weightOf(char.codePointAt(0) ?? 0);
  return length;
}

/** The longest value each variable can take in a reply, for the worst case preflight checks. */
function longestReplyVars(config: CampaignConfig): TemplateVars & { verificationCode: string } {
  const longest = (values: readonly string[]) =>
    values.reduce((a, b) => (weightedPostLength(b) > weightedPostLength(a) ? b : a), '');
  return {
    // `@` and an X username of at most 15 characters (send-delivery.ts uses nothing longer).
    name: `@${'x'.repeat(15)}`,
    prize: longest(config.prizes.map((prize) => prize.name)),
    code: longest(config.prizes.flatMap((prize) => prize.codes ?? [])),
    resultUrl: 'https://kuji.example/r/campaign/user/token',
    verificationCode: 'KJ-XXXX-XXXX',
  };
}

/**
 * Reply templates whose longest rendering X would refuse: Japanese counts double, so 200
 * characters that pass the configuration's 280 are 400 to X. A win reply is counted with the
 * verification code line every win message carries.
 */
export function replyLengthFindings(config: CampaignConfig): Finding[] {
  const vars = longestReplyVars(config);
  const findings: Finding[] = [];
  for (const kind of ['win', 'lose', 'followUp'] as const) {
    const template = config.templates[kind]?.reply;
    if (template === undefined) continue;
    const rendered =
      kind === 'win' ? renderWinMessage(template, vars) : renderTemplate(template, vars);
    // An unknown variable is the configuration check's finding, not this one.
    if (!rendered.ok) continue;
    const length = weightedPostLength(rendered.text);
    if (length <= maxPostWeightedLength) continue;
    const withCode = kind === 'win' ? '（確認コードの行を含む）' : '';
    const withCodeEn = kind === 'win' ? ', the verification code line included' : '';
    findings.push({
      code: 'reply_too_long',
      severity: 'blocking',
      path: `templates.${kind}.reply`,
      ja:
        `返信テンプレート templates.${kind}.reply は最長で${length}文字相当になり${withCode}、` +
        `Xの上限${maxPostWeightedLength}を超えるため返信が拒否されます（日本語は1文字2、URLは23として数えます）。短くしてください。`,
      en:
        `The reply template templates.${kind}.reply renders up to ${length} weighted characters` +
        `${withCodeEn}, over X's ${maxPostWeightedLength}, so X would refuse it (Japanese counts ` +
        'double, a URL 23). Shorten it.',
    });
  }
  return findings;
}
