import { type Finding } from './findings';

/** The variables a message template may use, e.g. `{name}さん、{prize}に当選しました！`. */
export const templateVariableNames = [
  'name',
  'prize',
  'code',
  'resultUrl',
  'verificationCode',
] as const;
export type TemplateVariable = (typeof templateVariableNames)[number];
export type TemplateVars = Partial<Record<TemplateVariable, string>>;

/**
 * Variables whose value differs for every recipient. `{prize}` does not count: a hundred winners
 * of the same prize would still receive a hundred identical texts. Nor does `{verificationCode}`:
 * every win message carries one anyway, and a text that differs only in its code line is still
 * the burst of near-identical DMs X restricts accounts for.
 */
export const perRecipientVariables: readonly TemplateVariable[] = ['name', 'code', 'resultUrl'];

/**
 * Any `{…}` on one line is a placeholder, not only known names: a typo such as `{Name}` or
 * `{ name }` must be reported, not sent to thousands of people verbatim.
 */
const placeholderPattern = /\{([^{}\n]{1,40})\}/g;

/** Full-width braces typed by a Japanese IME look right to the author but are sent literally. */
const fullWidthPlaceholderPattern = /[｛{]([^{}｛｝\n]{1,40})[｝}]/g;

/** The distinct placeholder names in a template, in order of first appearance (unknown included). */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(placeholderPattern)) names.add(match[1] ?? '');
  return [...names];
}

/** Placeholders that are not in `allowed` (by default: every known variable). */
export function findUnknownVariables(
  template: string,
  allowed: readonly string[] = templateVariableNames,
): string[] {
  return templateVariables(template).filter((name) => !allowed.includes(name));
}

/** Placeholders written with one or two full-width braces, e.g. `｛name｝`, as they appear. */
export function findFullWidthPlaceholders(template: string): string[] {
  const found = new Set<string>();
  for (const match of template.matchAll(fullWidthPlaceholderPattern)) {
    if (match[0].includes('｛') || match[0].includes('｝')) found.add(match[0]);
  }
  return [...found];
}

export type RenderResult =
  { ok: true; text: string } | { ok: false; missing: string[]; unknown: string[] };

/**
 * Fills a template in a single pass, so a value that itself contains `{code}` (a display name
 * chosen by a participant, say) is inserted as text and never expanded.
 */
export function renderTemplate(template: string, vars: TemplateVars): RenderResult {
  const unknown = findUnknownVariables(template);
  const missing = templateVariables(template).filter(
    (name) => !unknown.includes(name) && vars[name as TemplateVariable] === undefined,
  );
  if (unknown.length > 0 || missing.length > 0) return { ok: false, missing, unknown };
  const text = template.replace(
    placeholderPattern,
    (_placeholder, name: string) => vars[name as TemplateVariable] ?? '',
  );
  return { ok: true, text };
}

/** The line a win message ends with when its template does not place `{verificationCode}`. */
export function verificationCodeLine(code: string): string {
  return `確認コード / Verification code: ${code}`;
}

/**
 * A win message's text with its verification code (a drawn or instant win, a promoted
 * alternate's): `text` as rendered from `template`, plus a final line with the code where the
 * template does not place `{verificationCode}` itself — so every genuine win can be checked on
 * /verify.
 */
export function withVerificationCode(template: string, text: string, code: string): string {
  if (templateVariables(template).includes('verificationCode')) return text;
  return `${text}\n${verificationCodeLine(code)}`;
}

/** {@link renderTemplate} for a win message: the verification code is always in the text. */
export function renderWinMessage(
  template: string,
  vars: TemplateVars & { verificationCode: string },
): RenderResult {
  const rendered = renderTemplate(template, vars);
  return rendered.ok
    ? { ok: true, text: withVerificationCode(template, rendered.text, vars.verificationCode) }
    : rendered;
}

/** Like {@link renderTemplate}, for callers that treat a missing variable as a programming error. */
export function renderTemplateOrThrow(template: string, vars: TemplateVars): string {
  const result = renderTemplate(template, vars);
  if (result.ok) return result.text;
  const problems = [
    ...result.missing.map((name) => `missing value for {${name}}`),
    ...result.unknown.map((name) => `unknown variable {${name}}`),
  ];
  throw new Error(`Cannot render template: ${problems.join(', ')}`);
}

/** How many recipients of one identical text we consider a burst worth warning about. */
export const identicalTextThreshold = 10;

/**
 * X restricts accounts that send bursts of identical DMs. A template without any per-recipient
 * variable produces exactly that when it goes to many people.
 */
export function identicalTextRisk(
  template: string,
  recipientCount: number,
  threshold: number = identicalTextThreshold,
): Finding | null {
  const used = templateVariables(template);
  const personalised = perRecipientVariables.some((name) => used.includes(name));
  if (personalised || recipientCount < threshold) return null;
  return {
    code: 'identical_text_burst',
    severity: 'warning',
    ja:
      `このテンプレートには受信者ごとに変わる変数がなく、${recipientCount}人に同一の文面が送られます。` +
      '同一DMの大量送信はアカウント制限の原因になります。{name}・{code}・{resultUrl} のいずれかを入れてください。',
    en:
      `This template has no per-recipient variable, so ${recipientCount} recipients would get ` +
      'identical text. Bursts of identical DMs get accounts restricted; add {name}, {code} or ' +
      '{resultUrl}.',
  };
}

/** X usernames: 1–15 ASCII letters, digits or underscores. Anything else did not come from X. */
const xUsernamePattern = /^\w{1,15}$/;

/** X caps display names at 50 characters; a longer one is not X's. */
export const maxDisplayNameLength = 50;

/** Whether `value` is an X username (without `@`) as X issues them. */
export function isXUsername(value: unknown): value is string {
  return typeof value === 'string' && xUsernamePattern.test(value);
}

/**
 * Characters that must not reach a message or page from a display name: controls (NUL included),
 * bidirectional overrides that can reverse the text around them, and unpaired surrogates.
 */
const unsafeDisplayCharacters =
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A display name from X made safe for a template: unsafe characters removed, length capped. */
export function safeDisplayName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const cleaned = value.replace(unsafeDisplayCharacters, '').trim();
  if (cleaned === '') return null;
  return Array.from(cleaned).slice(0, maxDisplayNameLength).join('');
}

/**
 * The `{name}` of a recipient: `@username` when X sent a valid one, else the safe display name,
 * else a neutral address. Never a value X did not vouch for verbatim.
 */
export function recipientName(user: { username?: unknown; displayName?: unknown }): string {
  if (isXUsername(user.username)) return `@${user.username}`;
  return safeDisplayName(user.displayName) ?? 'お客様';
}
