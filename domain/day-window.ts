/**
 * DM quota windows are local calendar days in the sender account's IANA timezone (DESIGN.md §6).
 *
 * Workflow code imports this module, so it must stay deterministic: no Node built-ins, no clock
 * reads. Timezone rules come from Intl (ICU), which the Temporal workflow sandbox provides.
 */

export const defaultTimeZone = 'Asia/Tokyo';

const dayKeyPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(epochMs: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of wallClockFormatter(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? NaN,
    month: fields.month ?? NaN,
    day: fields.day ?? NaN,
    hour: fields.hour ?? NaN,
    minute: fields.minute ?? NaN,
    second: fields.second ?? NaN,
  };
}

function formatDayKey(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function dayKeyAt(epochMs: number, timeZone: string): string {
  const clock = wallClockAt(epochMs, timeZone);
  return formatDayKey(clock.year, clock.month, clock.day);
}

/** UTC offset (local minus UTC) in force at an instant, to the second. */
function utcOffsetMsAt(epochMs: number, timeZone: string): number {
  const clock = wallClockAt(epochMs, timeZone);
  const wallAsUtc = Date.UTC(
    clock.year,
    clock.month - 1,
    clock.day,
    clock.hour,
    clock.minute,
    clock.second,
  );
  return wallAsUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

function requireInstant(instant: Date, name: string): number {
  const epochMs = instant.getTime();
  if (!Number.isFinite(epochMs)) throw new RangeError(`${name} is not a valid date`);
  return epochMs;
}

/** Midnight of the calendar date `dayKey` read as if it were UTC; the anchor for local lookups. */
function dayKeyAsUtcMidnight(dayKey: string): number {
  const match = dayKeyPattern.exec(dayKey);
  const epochMs = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || new Date(epochMs).toISOString().slice(0, 10) !== dayKey) {
    throw new RangeError(
      `day key must be an existing date as YYYY-MM-DD, got ${JSON.stringify(dayKey)}`,
    );
  }
  return epochMs;
}

/** The local calendar day ('YYYY-MM-DD') that `instant` falls on in `timeZone`. */
export function localDayKey(instant: Date, timeZone: string = defaultTimeZone): string {
  return dayKeyAt(requireInstant(instant, 'instant'), timeZone);
}

/** The calendar day `days` after (or before, when negative) `dayKey`. */
export function addDaysToDayKey(dayKey: string, days: number): string {
  return new Date(dayKeyAsUtcMidnight(dayKey) + days * dayMs).toISOString().slice(0, 10);
}

/**
 * The first instant of the local day `dayKey`: local midnight, or — where a DST change skips
 * midnight — the moment the clocks jump. A day the zone skipped altogether (Pacific/Apia,
 * 2011-12-30) starts when the following day does.
 */
export function startOfLocalDay(dayKey: string, timeZone: string = defaultTimeZone): Date {
  const midnightAsUtc = dayKeyAsUtcMidnight(dayKey);
  const startsDay = (epochMs: number) =>
    dayKeyAt(epochMs, timeZone) === dayKey && dayKeyAt(epochMs - 1000, timeZone) !== dayKey;

  // Local midnight lies within UTC-offset range (−12 h … +14 h) of the UTC anchor. Sampling the
  // offset at both ends gives the offset in force at midnight whenever at most one transition
  // falls in that span, which holds for every real zone.
  const candidates = [
    midnightAsUtc - utcOffsetMsAt(midnightAsUtc - 14 * hourMs, timeZone),
    midnightAsUtc - utcOffsetMsAt(midnightAsUtc + 12 * hourMs, timeZone),
  ].sort((a, b) => a - b);
  const exact = candidates.find(startsDay);
  if (exact !== undefined) return new Date(exact);
  return new Date(firstSecondOnOrAfterDay(dayKey, midnightAsUtc, timeZone));
}

/** Binary search for days whose start is not a plain offset away from the anchor. */
function firstSecondOnOrAfterDay(dayKey: string, midnightAsUtc: number, timeZone: string): number {
  let before = (midnightAsUtc - 26 * hourMs) / 1000;
  let onOrAfter = (midnightAsUtc + 26 * hourMs) / 1000;
  while (onOrAfter - before > 1) {
    const middle = Math.floor((before + onOrAfter) / 2);
    if (dayKeyAt(middle * 1000, timeZone) >= dayKey) onOrAfter = middle;
    else before = middle;
  }
  return onOrAfter * 1000;
}

/** When the next quota window opens: the start of the local day after the one `instant` is in. */
export function startOfNextLocalDay(instant: Date, timeZone: string = defaultTimeZone): Date {
  return startOfLocalDay(addDaysToDayKey(localDayKey(instant, timeZone), 1), timeZone);
}

export interface DeliveryEtaInput {
  now: Date;
  /** IANA timezone of the sender account; defaults to Asia/Tokyo. */
  timeZone?: string;
  /** Deliveries allowed per local day (see quota.ts effectiveDailyCap). */
  cap: number;
  /** Slots already used in today's window. */
  usedToday: number;
  /** Number of queued recipients, in send order. */
  queueLength: number;
  /** Minimum gap between two sends; jitter is added by the sender, not planned here. */
  minGapMs: number;
}

export interface PlannedDelivery {
  /** Queue position, 0-based. */
  position: number;
  eta: Date;
  dayKey: string;
}

export interface DayWindowPlan {
  dayKey: string;
  windowStart: Date;
  count: number;
  firstEta: Date;
  lastEta: Date;
}

function requireCount(value: number, name: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}

/**
 * Estimated send instant for every queued position. Today's remaining slots go out from `now`
 * one gap apart; once a local day has `cap` sends (or the gap carries the schedule past
 * midnight) the next position waits for the next day's window, starting at its first instant.
 * Later days are assumed to start empty. Throws when `cap` < 1 and anything is queued, because
 * no ETA exists then.
 */
export function planDeliveries(input: DeliveryEtaInput): PlannedDelivery[] {
  const timeZone = input.timeZone ?? defaultTimeZone;
  const nowMs = requireInstant(input.now, 'now');
  requireCount(input.usedToday, 'usedToday', 0);
  requireCount(input.queueLength, 'queueLength', 0);
  if (!Number.isFinite(input.minGapMs) || input.minGapMs < 0) {
    throw new RangeError(`minGapMs must be a finite number ≥ 0, got ${input.minGapMs}`);
  }
  if (input.queueLength === 0) return [];
  requireCount(input.cap, 'cap', 1);

  let cursor = nowMs;
  let dayKey = dayKeyAt(cursor, timeZone);
  let windowEnd = startOfNextLocalDay(input.now, timeZone).getTime();
  let usedInWindow = input.usedToday;
  const openWindowAt = (epochMs: number) => {
    cursor = epochMs;
    dayKey = dayKeyAt(epochMs, timeZone);
    windowEnd = startOfNextLocalDay(new Date(epochMs), timeZone).getTime();
    usedInWindow = 0;
  };

  const planned: PlannedDelivery[] = [];
  for (let position = 0; position < input.queueLength; position++) {
    if (usedInWindow >= input.cap) openWindowAt(windowEnd);
    planned.push({ position, eta: new Date(cursor), dayKey });
    usedInWindow += 1;
    const nextCursor = cursor + input.minGapMs;
    if (nextCursor >= windowEnd) openWindowAt(nextCursor);
    else cursor = nextCursor;
  }
  return planned;
}

/** One ETA per queued position (see planDeliveries). */
export function deliveryEtas(input: DeliveryEtaInput): Date[] {
  return planDeliveries(input).map((delivery) => delivery.eta);
}

/** How the queue spreads over local-day windows: one row per day, in order. */
export function windowPlan(input: DeliveryEtaInput): DayWindowPlan[] {
  const timeZone = input.timeZone ?? defaultTimeZone;
  const days: DayWindowPlan[] = [];
  for (const delivery of planDeliveries(input)) {
    const current = days.at(-1);
    if (current?.dayKey === delivery.dayKey) {
      current.count += 1;
      current.lastEta = delivery.eta;
    } else {
      days.push({
        dayKey: delivery.dayKey,
        windowStart: startOfLocalDay(delivery.dayKey, timeZone),
        count: 1,
        firstEta: delivery.eta,
        lastEta: delivery.eta,
      });
    }
  }
  return days;
}
