/** X's text rules: weighted post length, the DM length cap, duplicates, mentions and hashtags. */

function weightedLength(text: string): number {
  // X counts a URL as 23 and CJK (and most non-Latin) characters as 2.
  const withoutUrls = text.replace(/https?:\/\/\S+/g, '');
  const urls = (text.match(/https?:\/\/\S+/g) ?? []).length;
  let length = urls * 23;
  for (const char of withoutUrls) {
    const code = char.codePointAt(0) ?? 0;
    length +=
      code <= 0x10ff || (code >= 0x2000 && code <= 0x200d) || (code >= 0x2010 && code <= 0x201f)
        ? 1
        : 2;
  }
  return length;
}

export const POST_MAX_WEIGHTED_LENGTH = 280;
export const DM_MAX_LENGTH = 10_000;
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** @handles in a text with their positions (code points, as X counts). */
export function mentionEntities(text: string): { start: number; end: number; username: string }[] {
  return [...text.matchAll(/(^|[^\w@])@(\w{1,15})/g)].map((match) => {
    const start = [...text.slice(0, (match.index ?? 0) + (match[1]?.length ?? 0))].length;
    const username = match[2] ?? '';
    return { start, end: start + username.length + 1, username };
  });
}

export function hashtagEntities(text: string): { start: number; end: number; tag: string }[] {
  return [...text.matchAll(/(^|[^\w#＃])[#＃]([\p{L}\p{N}_]+)/gu)].map((match) => {
    const start = [...text.slice(0, (match.index ?? 0) + (match[1]?.length ?? 0))].length;
    const tag = match[2] ?? '';
    return { start, end: start + [...tag].length + 1, tag };
  });
}

export function validateText(kind: 'post' | 'dm', text: string): 'empty' | 'too_long' | undefined {
  if (text.trim().length === 0) return 'empty';
  if (kind === 'post' && weightedLength(text) > POST_MAX_WEIGHTED_LENGTH) return 'too_long';
  if (kind === 'dm' && [...text].length > DM_MAX_LENGTH) return 'too_long';
  return undefined;
}
