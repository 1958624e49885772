/**
 * Folds the ways Japanese users type the same thing: full-width letters and digits (ＡＢＣ１２３),
 * half-width katakana (ｷｬﾝﾍﾟｰﾝ), full-width ＃ and spaces, and letter case.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Characters X counts as part of a hashtag besides letters, marks and digits: underscore and
 * the Japanese middle dot and sound marks (as in twitter-text).
 */
const hashtagChars = '[\\p{L}\\p{M}\\p{N}_\\u30fb\\u30a0\\u309b\\u309c]';
/** '#' preceded by a letter, '&' or '/' starts no hashtag (abc#def, &#39;, example.com/#top). */
const hashtagPattern = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_&/])#(${hashtagChars}+)`, 'gu');
const wholeHashtagPattern = new RegExp(`^${hashtagChars}+$`, 'u');

/** A hashtag as X compares them: normalised, case-folded, without the leading '#'. */
export function normalizeHashtag(tag: string): string {
  return normalizeText(tag).replace(/^#+/, '');
}

/** Whether X would read `tag` (with or without '#') as one hashtag, e.g. not `#くじ 当たれ` or `#2026`. */
export function isValidHashtag(tag: string): boolean {
  const name = normalizeHashtag(tag);
  return wholeHashtagPattern.test(name) && !/^\p{N}+$/u.test(name);
}

/** The distinct hashtags in a post, normalised, without '#'. */
export function extractHashtags(text: string): string[] {
  const tags = new Set<string>();
  for (const match of normalizeText(text).matchAll(hashtagPattern)) tags.add(match[1] ?? '');
  return [...tags];
}

/** Whether `text` contains `phrase`, both normalised. */
export function containsPhrase(text: string, phrase: string): boolean {
  const needle = normalizeText(phrase);
  return needle !== '' && normalizeText(text).includes(needle);
}
