/**
 * The x-faults drill's plan and verdicts, pure: which share of X's answers fail and how, which
 * participants refuse DMs for good, when the 429 bursts come, and what the emulator's record says
 * about permanent refusals and DMs per local day.
 */
import { seededRandom } from '../domain/seeded-random';

/** One fault rule as the emulator takes it: a preset fired on a share of an endpoint's requests. */
export interface SharedFault {
  fault: string;
  /** Share of ALL the endpoint's requests this rule should answer, in [0, 1). */
  share: number;
  /** The write happens, then the fault is answered (X did it but said it failed). */
  applyEffect?: boolean;
}

/**
 * The emulator tries an endpoint's rate rules in order, and a rule only sees the requests the
 * rules before it let through: for each rule to answer `share` of all requests, its own rate is
 * share / (1 − the shares before it).
 */
export function sequentialRates(faults: readonly SharedFault[]): number[] {
  let claimed = 0;
  return faults.map(({ share }) => {
    if (share < 0 || claimed + share >= 1)
      throw new Error(`fault shares must stay below 1 in total (at ${claimed + share})`);
    const rate = share / (1 - claimed);
    claimed += share;
    return rate;
  });
}

/** X failing on a DM send: 20 % 5xx and 10 % timeouts, each half before and half after the write. */
export const dmSendFaults: readonly SharedFault[] = [
  { fault: 'server_error', share: 0.04 },
  { fault: 'bad_gateway', share: 0.03 },
  { fault: 'service_unavailable_text', share: 0.03 },
  { fault: 'server_error', share: 0.05, applyEffect: true },
  { fault: 'service_unavailable', share: 0.05, applyEffect: true },
  { fault: 'timeout', share: 0.05 },
  { fault: 'timeout', share: 0.05, applyEffect: true },
];

/** The conversation reads Kuji reconciles with fail as often (a read has no write to apply). */
export const dmEventsFaults: readonly SharedFault[] = [
  { fault: 'server_error', share: 0.1 },
  { fault: 'service_unavailable', share: 0.1 },
  { fault: 'timeout', share: 0.1 },
];

/** Permanent refusals and the code Kuji must classify each with (recipient_unreachable). */
export const refusalKinds = {
  closed: 'dm_not_permitted',
  following: 'dm_recipient_not_following',
  blocked: 'dm_not_permitted',
  suspended: 'recipient_suspended',
} as const;
export type RefusalKind = keyof typeof refusalKinds;

export interface AudiencePlan {
  /** Participant id → why X refuses to deliver to them, for good. */
  refusers: Map<string, RefusalKind>;
  /** After how many DMs X accepted each 429 burst starts, and how long it is. */
  bursts: { afterSent: number; length: number }[];
}

/**
 * Seeded: `perKind` refusers of each kind picked from `ids`, and `burstCount` bursts of 3–6
 * 429s spread over the sends.
 */
export function planAudience(
  ids: readonly string[],
  options: { seed: number; perKind: Record<RefusalKind, number>; burstCount: number },
): AudiencePlan {
  const random = seededRandom(options.seed);
  const shuffled = [...ids];
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
  }
  const refusers = new Map<string, RefusalKind>();
  for (const kind of Object.keys(refusalKinds) as RefusalKind[]) {
    for (let n = 0; n < options.perKind[kind]; n += 1) {
      const id = shuffled[refusers.size];
      if (id === undefined) throw new Error('more refusers than participants');
      refusers.set(id, kind);
    }
  }
  const deliverable = ids.length - refusers.size;
  const bursts = Array.from({ length: options.burstCount }, () => ({
    afterSent: 1 + Math.floor(random() * Math.max(1, deliverable - 2)),
    length: 3 + Math.floor(random() * 4),
  })).sort((a, b) => a.afterSent - b.afterSent);
  return { refusers, bursts };
}

/** What the emulator's request log holds of one request (RequestLogEntry's fields used here). */
export interface LoggedRequest {
  seq: number;
  path: string;
  status: number;
  fault?: string;
}

export interface RefusalVerdict {
  recipientId: string;
  /** Requests to this recipient that X answered with its own refusal (no injected fault). */
  refusals: number;
  /** Requests after the first refusal: retries of a failure that was final. */
  retriesAfterRefusal: number;
  /** Each request's status in order; `*` marks an injected fault (0: no answer). */
  statuses: string[];
}

/** X's own final answer: a 4xx it chose (not a 429 of its window, not an injected fault). */
function isRefusal(request: LoggedRequest): boolean {
  return (
    request.fault === undefined &&
    request.status >= 400 &&
    request.status < 500 &&
    request.status !== 429
  );
}

/**
 * For each permanent refuser: how many times X answered its own refusal and how many sends came
 * after the first. Requests answered with an injected fault do not count as refusals (X said
 * nothing final: a retry is right).
 */
export function refusalVerdicts(
  sends: readonly LoggedRequest[],
  refusers: Iterable<string>,
): RefusalVerdict[] {
  return [...refusers].sort().map((recipientId) => {
    const mine = sends
      .filter((r) => r.path.includes(`/with/${recipientId}/`))
      .sort((a, b) => a.seq - b.seq);
    const firstRefusal = mine.findIndex(isRefusal);
    return {
      recipientId,
      refusals: mine.filter(isRefusal).length,
      retriesAfterRefusal: firstRefusal < 0 ? 0 : mine.length - firstRefusal - 1,
      statuses: mine.map((r) => (r.fault ? `${r.status || r.fault}*` : String(r.status))),
    };
  });
}

export function refusalFailures(verdicts: readonly RefusalVerdict[]): string[] {
  const failures: string[] = [];
  const never = verdicts.filter((v) => v.refusals === 0).map((v) => v.recipientId);
  if (never.length > 0)
    failures.push(
      `${never.length} refusing recipient(s) never got X's refusal / 拒否応答なし: ${never.join(', ')}`,
    );
  const retried = verdicts.filter((v) => v.retriesAfterRefusal > 0);
  if (retried.length > 0)
    failures.push(
      `${retried.length} permanent failure(s) retried / 恒久的失敗の再試行: ${retried
        .map((v) => `${v.recipientId}×${v.retriesAfterRefusal} (${v.statuses.join(' ')})`)
        .join(', ')}`,
    );
  return failures;
}

/**
 * DMs from `senderId` per local day of `timeZone` (YYYY-MM-DD), by the emulator's createdAt. The
 * judge computes days with Intl itself rather than Kuji's day-window code, so a wrong day in Kuji
 * cannot hide behind the same mistake here.
 */
export function dmsPerLocalDay(
  dms: readonly { senderId: string; createdAt: string }[],
  senderId: string,
  timeZone: string,
): Map<string, number> {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const perDay = new Map<string, number>();
  for (const dm of dms) {
    if (dm.senderId !== senderId) continue;
    const day = format.format(new Date(dm.createdAt));
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  return new Map([...perDay].sort(([a], [b]) => a.localeCompare(b)));
}
