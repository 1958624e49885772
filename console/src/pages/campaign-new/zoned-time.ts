/**
 * The schedule is typed as wall-clock time in the campaign's timezone (an operator in Tokyo
 * thinks in Tokyo time) and stored as ISO-8601 with that zone's offset, as the API wants it.
 */

function parts(date: Date, timeZone: string): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

/** `+09:00` for Asia/Tokyo at `date`. */
export function zoneOffset(date: Date, timeZone: string): string {
  const name = parts(date, timeZone).timeZoneName ?? 'GMT';
  const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return match ? `${match[1]}:${match[2] ?? '00'}` : '+00:00';
}

function validZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return 'Asia/Tokyo';
  }
}

/** `2026-12-03T18:00:00+09:00`: the instant as wall time in `timeZone` with its offset. */
export function isoInZone(date: Date, timeZone: string): string {
  const zone = validZone(timeZone);
  const p = parts(date, zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${zoneOffset(date, zone)}`;
}

/** The value of an `<input type="datetime-local">` for `iso` in `timeZone`; '' when no instant. */
export function localInputValue(iso: unknown, timeZone: string): string {
  if (typeof iso !== 'string') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return isoInZone(date, timeZone).slice(0, 16);
}

/** `2026-12-03T18:00` typed in `timeZone` → ISO with that zone's offset at that moment. */
export function isoFromLocalInput(value: string, timeZone: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const zone = validZone(timeZone);
  const asUtc = new Date(`${value}:00Z`);
  // The offset at the instant itself: guess with the offset at the UTC reading, then correct.
  let offset = zoneOffset(asUtc, zone);
  const instant = new Date(`${value}:00${offset}`);
  offset = zoneOffset(instant, zone);
  return `${value}:00${offset}`;
}
