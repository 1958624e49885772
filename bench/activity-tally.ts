/**
 * What a workflow asked of its activities in a stretch of its history: per activity type, how
 * many were scheduled, how many it asked to cancel and how many completed. Pure.
 */
import type { History } from '@temporalio/common/lib/proto-utils';

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

const ms = (ts: Timestamp): number =>
  Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);

export interface ActivityTally {
  scheduled: number;
  cancelRequested: number;
  completed: number;
}

/** Per activity type, over the events dated in [sinceMs, untilMs). */
export function tallyActivities(
  history: History,
  sinceMs = 0,
  untilMs = Number.POSITIVE_INFINITY,
): Record<string, ActivityTally> {
  const typeOf = new Map<string, string>();
  const tally: Record<string, ActivityTally> = {};
  const of = (type: string) => (tally[type] ??= { scheduled: 0, cancelRequested: 0, completed: 0 });
  for (const event of history.events ?? []) {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) typeOf.set(String(event.eventId), type);
    const at = ms(event.eventTime);
    if (at < sinceMs || at >= untilMs) continue;
    if (type) of(type).scheduled += 1;
    const cancel = event.activityTaskCancelRequestedEventAttributes?.scheduledEventId;
    const cancelled = cancel != null ? typeOf.get(String(cancel)) : undefined;
    if (cancelled) of(cancelled).cancelRequested += 1;
    const done = event.activityTaskCompletedEventAttributes?.scheduledEventId;
    const completed = done != null ? typeOf.get(String(done)) : undefined;
    if (completed) of(completed).completed += 1;
  }
  return tally;
}
