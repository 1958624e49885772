/**
 * The form's state is the configuration itself, as plain JSON: each field reads and writes one
 * dotted path (`prizes.0.stock`, the paths the API's issues name). An emptied optional field is
 * removed, so the configuration never carries '' where the schema wants a value or nothing.
 */
export type Draft = Record<string, unknown>;
export type Path = string;

function keys(path: Path): (string | number)[] {
  return path === '' ? [] : path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}

export function getAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of keys(path)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function setIn(node: unknown, [key, ...rest]: (string | number)[], value: unknown): unknown {
  if (key === undefined) return value;
  const isIndex = typeof key === 'number';
  const base: unknown = node !== null && typeof node === 'object' ? node : isIndex ? [] : {};
  const child = setIn((base as Record<string | number, unknown>)[key], rest, value);
  if (Array.isArray(base)) {
    const copy = [...(base as unknown[])];
    if (child === undefined && rest.length === 0) copy.splice(key as number, 1);
    else copy[key as number] = child;
    return copy;
  }
  const copy = { ...(base as Record<string, unknown>) };
  if (child === undefined) delete copy[key as string];
  else copy[key as string] = child;
  return copy;
}

/** A copy of `draft` with `value` at `path`; `undefined` removes the key (or the list item). */
export function setAt(draft: Draft, path: Path, value: unknown): Draft {
  return setIn(draft, keys(path), value) as Draft;
}

export interface Issue {
  path: string;
  code: string;
  message: { ja: string; en: string };
}

/** The issues at exactly `path`. */
export function issuesAt(issues: readonly Issue[], path: Path): Issue[] {
  return issues.filter((issue) => issue.path === path);
}

/** The issues at `path` or anywhere inside it. */
export function issuesUnder(issues: readonly Issue[], path: Path): Issue[] {
  return issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
}
