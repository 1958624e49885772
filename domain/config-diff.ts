/**
 * The changes between two campaign configurations, for the approver: what differs since the
 * configuration they (or someone) last approved. Objects and lists of objects (prizes, entry
 * rules) are compared field by field; a list of plain values (hashtags, prize codes, user ids)
 * is one value, so a reordered or edited list reads as one change, not a hundred.
 */

export interface ConfigChange {
  /** Dotted path, as in validation issues: `prizes.0.stock`, `templates.win.dm`. */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** null when added. */
  before: unknown;
  /** null when removed. */
  after: unknown;
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isListOfObjects(value: Json): value is Json[] {
  return Array.isArray(value) && value.length > 0 && value.every(isRecord);
}

/** Structural equality of JSON values (key order ignored). */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]))
    );
  }
  return false;
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/**
 * The changes from `before` to `after` (either may be undefined: absent). Leaves in the order of
 * `after`, then what only `before` had.
 */
export function diffConfigs(before: Json, after: Json, path = ''): ConfigChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return expand(after, path, 'added');
  if (after === undefined) return expand(before, path, 'removed');
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
    return keys.flatMap((key) => diffConfigs(before[key], after[key], join(path, key)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeList: Json[] = before;
    const afterList: Json[] = after;
    const someObjects = isListOfObjects(beforeList) || isListOfObjects(afterList);
    if (someObjects && beforeList.every(isRecord) && afterList.every(isRecord)) {
      const length = Math.max(beforeList.length, afterList.length);
      return Array.from({ length }, (_, index) =>
        diffConfigs(beforeList[index], afterList[index], join(path, index)),
      ).flat();
    }
  }
  if (sameJson(before, after)) return [];
  return [{ path, kind: 'changed', before, after }];
}

/** A whole value added or removed, as one change per leaf (so each field shows on its own). */
function expand(value: Json, path: string, kind: 'added' | 'removed'): ConfigChange[] {
  const leaf = (): ConfigChange[] => [
    {
      path,
      kind,
      before: kind === 'removed' ? value : null,
      after: kind === 'added' ? value : null,
    },
  ];
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && path !== '') return leaf();
    return keys.flatMap((key) => expand(value[key], join(path, key), kind));
  }
  if (isListOfObjects(value)) {
    return value.flatMap((item, index) => expand(item, join(path, index), kind));
  }
  return path === '' ? [] : leaf();
}
