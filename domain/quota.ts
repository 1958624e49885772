/**
 * Daily DM quota arithmetic for the delivery code (DESIGN.md §6). Pure; workflow-safe.
 *
 * The quota is per X sender account and per local day (day-window.ts). Kuji's cap is the
 * operator's setting, never above what X allows.
 */

/** X's per-user DM send limit over 24 hours (X-API.md rate limits). */
export const xUserDmLimitPer24Hours = 1_440;
/** X's account-level DM ceiling, about 500 a day; going beyond it risks restriction. */
export const xAccountDmLimitPerDay = 500;
/** What Kuji uses when the operator set nothing (DESIGN.md §6; XTEP's familiar 100/day). */
export const defaultDailyDmCap = 100;

function requireCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  }
}

/** Slots left in today's window; 0 (never negative) once the cap is used up or exceeded. */
export function remainingToday(input: { cap: number; used: number }): number {
  requireCount(input.cap, 'cap');
  requireCount(input.used, 'used');
  return Math.max(0, input.cap - input.used);
}

export interface DailyCapInput {
  configuredCap: number;
  /**
   * `x-user-limit-24hour-limit` as X last reported it (twitter-api-v2 `rateLimit.userDay.limit`),
   * when known. A missing, negative or non-numeric value counts as unknown.
   */
  xUserDayLimit?: number;
}

export interface DailyCap {
  cap: number;
  limitedBy: 'configured' | 'x_account_daily' | 'x_user_24h';
  ja: string;
  en: string;
}

/**
 * The daily cap actually applied and what set it: the smallest of the configured cap, X's
 * account-level ceiling and X's per-user 24-hour limit (as reported, else the documented 1,440).
 * X's 24-hour limit rolls while our windows are local days; a `…-remaining: 0` header is handled
 * separately as quota exhaustion by the error taxonomy.
 */
export function resolveDailyCap(input: DailyCapInput): DailyCap {
  requireCount(input.configuredCap, 'configuredCap');
  const reported = input.xUserDayLimit;
  const xUserLimit =
    reported !== undefined && Number.isFinite(reported) && reported >= 0
      ? Math.floor(reported)
      : xUserDmLimitPer24Hours;

  const cap = Math.min(input.configuredCap, xAccountDmLimitPerDay, xUserLimit);
  if (cap === input.configuredCap) {
    return {
      cap,
      limitedBy: 'configured',
      ja: `設定された1日あたりの送信上限${cap}件を適用します。`,
      en: `Applying the configured cap of ${cap} DMs per day.`,
    };
  }
  if (cap === xUserLimit && xUserLimit < xAccountDmLimitPerDay) {
    return {
      cap,
      limitedBy: 'x_user_24h',
      ja: `設定値${input.configuredCap}件はXが通知した24時間あたりのDM送信上限${cap}件を超えるため、${cap}件に抑えます。`,
      en: `The configured ${input.configuredCap} exceeds the DM limit of ${cap} per 24 hours that X reported, so ${cap} applies.`,
    };
  }
  return {
    cap,
    limitedBy: 'x_account_daily',
    ja: `設定値${input.configuredCap}件はXのアカウント単位のDM送信上限（1日約${xAccountDmLimitPerDay}件）を超えるため、${cap}件に抑えます。`,
    en: `The configured ${input.configuredCap} exceeds X's account-level limit of about ${xAccountDmLimitPerDay} DMs a day, so ${cap} applies.`,
  };
}

/** The daily cap to enforce (see resolveDailyCap for the reason behind it). */
export function effectiveDailyCap(input: DailyCapInput): number {
  return resolveDailyCap(input).cap;
}

/** What a sender account says about its cap: the operator's setting and X's last report. */
export interface AccountDailyCapSettings {
  dmDailyCap: number;
  /** X's DM limit per 24 hours as it last reported it; null or absent until it has. */
  xDmDayLimit?: number | null;
}

/**
 * The one daily DM cap of a sender account, for enforcement, ETAs and the report alike: the
 * configured cap under X's ceilings (resolveDailyCap), and never above what the quota ledger
 * already holds for the day in question (a day's stored cap only goes down).
 */
export function dailyCapOf(
  account: AccountDailyCapSettings,
  ledgerDay?: { cap: number } | null,
): number {
  const cap = effectiveDailyCap({
    configuredCap: account.dmDailyCap,
    ...(account.xDmDayLimit != null ? { xUserDayLimit: account.xDmDayLimit } : {}),
  });
  return ledgerDay ? Math.min(cap, ledgerDay.cap) : cap;
}
