/**
 * The judge of every drill: what the X emulator says was sent against what should have been.
 * Pure; the drills pass the emulator's record (`emulator.sent().dms`) and their expectations.
 */

export interface SentDm {
  senderId: string;
  recipientId: string;
  text: string;
}

export interface ExactlyOnceVerdict {
  /** Recipients who should have one DM and have none. */
  missing: string[];
  /** Recipients with more than one DM from the sender, with the count. */
  duplicated: { recipientId: string; count: number }[];
  /** Recipients who got a DM and were not expected to. */
  unexpected: string[];
  /** DMs from the sender in the record. */
  sent: number;
}

/** Counts the sender's DMs per recipient against the set that must get exactly one. */
export function judgeExactlyOnce(
  dms: readonly SentDm[],
  senderId: string,
  expectedRecipients: Iterable<string>,
): ExactlyOnceVerdict {
  const counts = new Map<string, number>();
  let sent = 0;
  for (const dm of dms) {
    if (dm.senderId !== senderId) continue;
    sent += 1;
    counts.set(dm.recipientId, (counts.get(dm.recipientId) ?? 0) + 1);
  }
  const expected = new Set(expectedRecipients);
  const missing = [...expected].filter((id) => !counts.has(id)).sort();
  const duplicated = [...counts]
    .filter(([, count]) => count > 1)
    .map(([recipientId, count]) => ({ recipientId, count }))
    .sort((a, b) => a.recipientId.localeCompare(b.recipientId));
  const unexpected = [...counts.keys()].filter((id) => !expected.has(id)).sort();
  return { missing, duplicated, unexpected, sent };
}

/** The verdict's failures as sentences (empty when every expected recipient got exactly one). */
export function exactlyOnceFailures(verdict: ExactlyOnceVerdict): string[] {
  const sample = (ids: readonly string[]) =>
    ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` … (${ids.length})` : '');
  const failures: string[] = [];
  if (verdict.missing.length > 0)
    failures.push(
      `${verdict.missing.length} recipient(s) got no DM / DM 未着: ${sample(verdict.missing)}`,
    );
  if (verdict.duplicated.length > 0)
    failures.push(
      `${verdict.duplicated.length} recipient(s) got more than one DM / DM 重複: ${sample(
        verdict.duplicated.map((d) => `${d.recipientId}×${d.count}`),
      )}`,
    );
  if (verdict.unexpected.length > 0)
    failures.push(
      `${verdict.unexpected.length} DM(s) to people who should get none / 対象外への DM: ${sample(verdict.unexpected)}`,
    );
  return failures;
}

/** At most `cap` DMs per local day: the days over it, with their counts. */
export function daysOverCap(
  perDay: ReadonlyMap<string, number>,
  cap: number,
): { day: string; count: number }[] {
  return [...perDay]
    .filter(([, count]) => count > cap)
    .map(([day, count]) => ({ day, count }))
    .sort((a, b) => a.day.localeCompare(b.day));
}
