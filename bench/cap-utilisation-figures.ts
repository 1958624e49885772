/**
 * Cap utilisation's pure parts: DMs counted per local day of the account, each day's share of the
 * daily cap, and the figures. The local day is worked out here with Intl, not with Kuji's own
 * day-window code, so the ledger is checked against an independent reading of the same instants.
 */
import type { Figure } from './report';

/** The calendar day (YYYY-MM-DD) an instant falls on in `timeZone`. */
export function localDayOf(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

export interface DayCount {
  day: string;
  count: number;
}

/**
 * DMs per local day from the first day with a DM to the last, in order; a day in between with
 * none counts 0 (a day the queue slept through is a day of the cap wasted).
 */
export function countPerLocalDay(instants: readonly Date[], timeZone: string): DayCount[] {
  const counts = new Map<string, number>();
  for (const instant of instants) {
    const day = localDayOf(instant, timeZone);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const days = [...counts.keys()].sort();
  const first = days[0];
  const last = days[days.length - 1];
  if (first === undefined || last === undefined) return [];
  const out: DayCount[] = [];
  for (let day = first; day <= last; day = nextDay(day)) {
    out.push({ day, count: counts.get(day) ?? 0 });
  }
  return out;
}

export interface CapUtilisation {
  days: (DayCount & { ratio: number })[];
  /** Every day but the last: the queue held more than the day's cap when it began. */
  fullDays: number;
  /** Lowest share of the cap over the full days (NaN with no full day). */
  minFull: number;
  /** Highest share of the cap over every day, the draining day included (NaN with no day). */
  max: number;
}

export function capUtilisation(days: readonly DayCount[], cap: number): CapUtilisation {
  if (!(cap > 0)) throw new Error(`a daily cap must be positive, not ${cap}`);
  const withRatio = days.map((d) => ({ ...d, ratio: d.count / cap }));
  const full = withRatio.slice(0, -1);
  return {
    days: withRatio,
    fullDays: full.length,
    minFull: full.length > 0 ? Math.min(...full.map((d) => d.ratio)) : Number.NaN,
    max: withRatio.length > 0 ? Math.max(...withRatio.map((d) => d.ratio)) : Number.NaN,
  };
}

/** `2026-12-04 100, 2026-12-05 100, …`: the counts behind the ratios, for `detail`. */
export function describeDays(days: readonly DayCount[]): string {
  return days.map((d) => `${d.day} ${d.count}`).join(', ');
}

export function capUtilisationFigures(
  utilisation: CapUtilisation,
  context: { cap: number; campaigns: number; timeZone: string; source: string },
): Figure[] {
  const perDay = describeDays(utilisation.days);
  const setting = `${context.campaigns} campaigns sharing one account, cap ${context.cap}/day, ${context.timeZone} days; counted from ${context.source}`;
  return [
    {
      name: 'DM cap utilisation, full days (min)',
      nameJa: 'DM 上限の消化率（満杯の日の最小）',
      value: utilisation.minFull,
      unit: '× cap',
      target: { atLeast: 1 },
      detail: `lowest of DMs sent / cap over the ${utilisation.fullDays} day(s) before the queue drained (${perDay}); ${setting}`,
    },
    {
      name: 'DM cap utilisation, any day (max)',
      nameJa: 'DM 上限の消化率（全日の最大）',
      value: utilisation.max,
      unit: '× cap',
      target: { atMost: 1 },
      detail: `highest of DMs sent / cap over all ${utilisation.days.length} day(s) (${perDay}); ${setting}`,
    },
  ];
}
