/**
 * The account-halt drill's verdicts, pure: what X was asked while an account was halted, and the
 * stops each halt opened.
 */

/** A request in the emulator's log (RequestLogEntry's fields used here). */
export interface TimedRequest {
  atMs: number;
  status: number;
}

/**
 * DM sends that reached X after the halt was recorded (plus `graceMs` for a send already on its
 * way then) and before a person resumed: each one is a send the halt should have held back.
 */
export function sendsWhileHalted(
  sends: readonly TimedRequest[],
  halt: { haltedAtMs: number; resumedAtMs: number; graceMs: number },
): TimedRequest[] {
  return sends.filter(
    (send) => send.atMs > halt.haltedAtMs + halt.graceMs && send.atMs < halt.resumedAtMs,
  );
}

export interface HaltStop {
  campaignId: string;
  id: string;
  kind: string;
  status: string;
  resolution: string | null;
}

/**
 * What the halts must leave behind once resolved: `perCampaign` sender_halted stops on each
 * campaign (one per halt: a halt is one stop, not one per refused send), each resolved with
 * `resume`.
 */
export function haltStopFailures(
  campaignIds: readonly string[],
  stops: readonly HaltStop[],
  perCampaign: number,
): string[] {
  const failures: string[] = [];
  for (const campaignId of campaignIds) {
    const mine = stops.filter((s) => s.campaignId === campaignId && s.kind === 'sender_halted');
    if (mine.length !== perCampaign)
      failures.push(
        `campaign ${campaignId} has ${mine.length} sender_halted stop(s), expected ${perCampaign} / 停止記録の数`,
      );
    for (const stop of mine.filter((s) => s.status !== 'resolved' || s.resolution !== 'resume'))
      failures.push(
        `stop ${stop.id} of ${campaignId} is ${stop.status}/${stop.resolution ?? '—'}, expected resolved/resume / 再開されず`,
      );
  }
  return failures;
}

/** A DM send in the emulator's log, in the order X answered them. */
export interface SequencedSend extends TimedRequest {
  seq: number;
  fault?: string;
}

/**
 * DMs X accepted after it answered the halting fault (`fault`: 'revoked', 'automated') and before
 * `untilMs`: sends already past their halt check when the refusal came back (a race the grace of
 * sendsWhileHalted tolerates), reported so the window stays visible.
 */
export function acceptedAfterRefusal(
  sends: readonly SequencedSend[],
  fault: string,
  untilMs: number,
): number {
  const refusal = sends.find((send) => send.fault === fault);
  if (!refusal) return 0;
  return sends.filter(
    (send) =>
      send.seq > refusal.seq && send.status >= 200 && send.status < 300 && send.atMs < untilMs,
  ).length;
}
