/** Dates in the campaign's timezone and numbers, in the reader's language. */
import type { Lang } from './i18n';

const locale = (lang: Lang) => (lang === 'ja' ? 'ja-JP' : 'en-GB');

/** `2026/12/03 18:05` (ja) or `03 Dec 2026, 18:05` (en) in `timeZone`, with the zone's name. */
export function formatDateTime(
  iso: string | null | undefined,
  timeZone: string | undefined,
  lang: Lang,
): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // dateStyle/timeStyle refuse timeZoneName (V8 throws a TypeError): spell the fields out.
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: lang === 'ja' ? '2-digit' : 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
    timeZoneName: 'short',
  }).format(date);
}

/** A local day (`YYYY-MM-DD`) as the reader writes it. */
export function formatDay(day: string, lang: Lang): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export function formatNumber(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(lang)).format(value);
}

export function formatUsd(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(lang), {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: value < 1 ? 4 : 2,
  }).format(value);
}
