import { normalizeText } from './text';

export interface NotReceivedMatch {
  /** The normalised words that read as a complaint. */
  phrase: string;
  language: 'ja' | 'en';
}

/** What might not have arrived; optional in Japanese, where the subject is often left out. */
const thingJa = '(?:dm|メッセージ|メール|連絡|通知|コード|賞品|景品|当選dm|当選通知|当選連絡)';

const thingEn = '(?:dm|message|code|prize|email|reply|it|anything)';
/** didn't, did not, didnt, haven't, hasn't (with a typographic apostrophe too), never, still not. */
const notYet = "(?:(?:did|have|has) ?n[o'’]?t|never|not yet|still not)";

/**
 * Patterns run on normalised text (NFKC, lower case), so ＤＭ, ｄｍ and DM are one; small kana
 * variants (来ない/こない/きてない) are spelled out.
 */
const complaintPatterns: { language: 'ja' | 'en'; pattern: RegExp }[] = [
  { language: 'ja', pattern: /届いて(?:い)?(?:ない|ません|なかった|なくて)/g },
  { language: 'ja', pattern: /届か(?:ない|なかった|ず|なくて)/g },
  { language: 'ja', pattern: /届きません|届いておりません/g },
  {
    language: 'ja',
    pattern: /受け?取れて(?:い)?(?:ない|ません)|受け?取れ(?:ない|ません|なかった)/g,
  },
  { language: 'ja', pattern: /受け?取って(?:い)?(?:ない|ません)/g },
  {
    language: 'ja',
    pattern: new RegExp(
      `${thingJa}\\s?(?:が|は|も)?\\s?(?:来|こ|き)(?:ない|ません|てない|ていない|ていません|てません|なかった)`,
      'g',
    ),
  },
  {
    language: 'ja',
    pattern: new RegExp(
      `${thingJa}\\s?(?:が|は)?\\s?(?:見当たらない|見当たりません|見つからない|見つかりません)`,
      'g',
    ),
  },
  { language: 'en', pattern: new RegExp(`\\b${notYet}(?: yet)? (?:receive|received)\\b`, 'g') },
  {
    language: 'en',
    pattern: new RegExp(
      `\\b${notYet}(?: yet)? (?:get|got|gotten|see|seen) (?:a |the |my |any )?${thingEn}\\b`,
      'g',
    ),
  },
  { language: 'en', pattern: /\bnot (?:been )?received\b/g },
  {
    language: 'en',
    pattern: new RegExp(`\\b(?:still )?no ${thingEn}s?\\b(?! please| needed| required)`, 'g'),
  },
  { language: 'en', pattern: new RegExp(`\\bwhere(?: is|'s|’s) my ${thingEn}\\b`, 'g') },
];

/**
 * Words after which a complaint is a hope or a question, not a report: entrants write
 * 「当選DM届かないかな〜」 ("wish a winning DM would come") long before any result is sent.
 */
const hopefulEnding = /^\s?(?:か(?:な|しら)|かなぁ|かなー|かなあ|かも|といいな|といいなあ)/;

/** Phrases that say it did arrive after all: 「届いてないと思ったら届いてました」. */
const resolvedPattern =
  /届きました|届いて(?:い)?ました|届いた(?:よ|わ|!|。| |$)|受け?取(?:り|れ)ました|(?:来|き)て(?:い)?ました|\b(?:got it|received it|found it)\b/g;

/**
 * Detects "I didn't get it" in a reply or DM, Japanese or English. Returns the complaint, or
 * null when there is none or the message ends by saying it arrived.
 */
export function detectNotReceived(text: string): NotReceivedMatch | null {
  const normalized = normalizeText(text);
  let last: (NotReceivedMatch & { end: number }) | null = null;
  for (const { language, pattern } of complaintPatterns) {
    for (const match of normalized.matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (hopefulEnding.test(normalized.slice(end))) continue;
      if (!last || end > last.end) last = { phrase: match[0], language, end };
    }
  }
  if (!last) return null;
  const resolvedAfter = [...normalized.matchAll(resolvedPattern)].some(
    (match) => match.index >= (last?.end ?? 0),
  );
  return resolvedAfter ? null : { phrase: last.phrase, language: last.language };
}

export function isNotReceivedComplaint(text: string): boolean {
  return detectNotReceived(text) !== null;
}
