/**
 * Figures read from workflow histories (every run of a workflow, across continue-as-new). Pure:
 * the histories are fetched by the caller.
 */
import type { History } from '@temporalio/common/lib/proto-utils';

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

export interface RunHistory {
  history: History;
}

const ms = (ts: Timestamp): number =>
  Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);

/** History events over all runs: the cluster's work and, on Temporal Cloud, the bill. */
export function countEvents(runs: RunHistory[]): number {
  return runs.reduce((sum, run) => sum + (run.history.events?.length ?? 0), 0);
}

/**
 * Executions of the named activities that completed, and the seconds they ran (start of the
 * attempt that completed to its completion). On the time-skipping server the clock does not
 * skip while an activity runs, so these are real seconds.
 */
export function activityTime(
  runs: RunHistory[],
  activityNames: readonly string[],
): { completed: number; seconds: number } {
  let completed = 0;
  let totalMs = 0;
  for (const { history } of runs) {
    const scheduled = new Set<string>();
    const startedAt = new Map<string, number>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name && activityNames.includes(name)) scheduled.add(id);
      const started = event.activityTaskStartedEventAttributes;
      if (started && scheduled.has(String(started.scheduledEventId))) {
        startedAt.set(String(started.scheduledEventId), ms(event.eventTime));
      }
      const done = event.activityTaskCompletedEventAttributes;
      const began = done ? startedAt.get(String(done.scheduledEventId)) : undefined;
      if (began !== undefined) {
        completed += 1;
        totalMs += ms(event.eventTime) - began;
      }
    }
  }
  return { completed, seconds: totalMs / 1000 };
}

/** Events added between two counts, per hour of the workflow's (skipped) time between them. */
export function eventsPerHour(before: number, after: number, hours: number): number {
  if (!(hours > 0)) throw new Error(`hours must be positive, got ${hours}`);
  return (after - before) / hours;
}
