/**
 * Text PostgreSQL can store. A NUL character is refused by `text` and `jsonb` columns alike, and
 * an unpaired UTF-16 surrogate has no UTF-8 form (`jsonb` refuses its escape, `text` would get a
 * replacement character). Both are rejected at the door with the field named, never sent on.
 */

/** A NUL, a high surrogate not followed by a low one, or a low surrogate not after a high one. */
const unstorablePattern =
  // eslint-disable-next-line no-control-regex -- finding NUL is the point
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const unstorableTextMessage =
  'must not contain a NUL character (U+0000) or an unpaired surrogate (U+D800–U+DFFF) / ' +
  'NUL 文字（U+0000）や対になっていないサロゲート（U+D800–U+DFFF）は使えません';

export function isStorableText(text: string): boolean {
  return !unstorablePattern.test(text);
}

export interface UnstorableText {
  /** Where it was found, e.g. `['config', 'prizes', 0, 'codes', 3]`; object keys count too. */
  path: (string | number)[];
}

/**
 * The first string (or object key) in a parsed JSON value that PostgreSQL cannot store, or
 * undefined. Depth-first, iterative: a deeply nested hostile body cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): UnstorableText | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const current = item.value;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { path: item.path };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i], path: [...item.path, i] });
      }
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!isStorableText(key)) return { path: [...item.path, key] };
        stack.push({ value: child, path: [...item.path, key] });
      }
    }
  }
  return undefined;
}

/** Every NUL and unpaired surrogate, for removing them from text others sent (X's events). */
const unstorableGlobal = new RegExp(unstorablePattern.source, 'g');

/**
 * `text` with what PostgreSQL cannot store removed. For text that comes from X, not from a
 * user of Kuji: a participant's DM is an entry however it is written, so it is kept, cleaned,
 * instead of refused (X would retry a refused delivery for ever).
 */
export function storableText(text: string): string {
  return text.replace(unstorableGlobal, '');
}
