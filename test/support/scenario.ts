/**
 * One workflow scenario with a worker, bounded in real time. A campaign held for a person never
 * completes, and on the time-skipping server a run that is stuck holds the server's clock: left
 * alone it would hang the scenario, every scenario after it on the same server, and the test
 * process (its worker keeps polling). So a scenario that fails or overruns its deadline says what
 * each of its workflows was doing, and the runs still open are terminated before the worker stops.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';

const { EventType, PendingActivityState } = temporal.api.enums.v1;

/** `promise`, or `undefined` after `ms`: a diagnostic must not hang on what it diagnoses. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}` as T;
  } finally {
    clearTimeout(timer);
  }
}

const eventName = (type: number | null | undefined) =>
  String(EventType[type ?? 0] ?? type).replace(/^EVENT_TYPE_/, '');

/** The part of an event that says what it was about: which activity, timer, signal or update. */
function detailOf(event: temporal.api.history.v1.IHistoryEvent): string {
  const detail =
    event.activityTaskScheduledEventAttributes?.activityType?.name ??
    event.activityTaskFailedEventAttributes?.failure?.message ??
    event.activityTaskTimedOutEventAttributes?.failure?.message ??
    (event.timerStartedEventAttributes?.startToFireTimeout?.seconds != null
      ? `${String(event.timerStartedEventAttributes.startToFireTimeout.seconds)} s`
      : undefined) ??
    event.workflowExecutionSignaledEventAttributes?.signalName ??
    event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
    event.workflowTaskFailedEventAttributes?.failure?.message;
  return detail ? ` (${detail})` : '';
}

/** What a workflow is doing: status, pending activities and workflow task, last events. */
export async function describeRun(handle: WorkflowHandle, lastEvents = 15): Promise<string> {
  const lines = [`workflow ${handle.workflowId}`];
  const description = await within(5_000, handle.describe());
  if (typeof description === 'object' && description) {
    lines.push(`  status: ${description.status.name}, history length ${description.historyLength}`);
    for (const activity of description.raw.pendingActivities ?? []) {
      lines.push(
        `  pending activity ${activity.activityType?.name ?? '?'} ` +
          `(${String(PendingActivityState[activity.state ?? 0] ?? activity.state)}, ` +
          `attempt ${activity.attempt ?? '?'}` +
          (activity.lastFailure?.message ? `, last failure: ${activity.lastFailure.message}` : '') +
          ')',
      );
    }
    const task = description.raw.pendingWorkflowTask;
    if (task) lines.push(`  pending workflow task (attempt ${task.attempt ?? '?'})`);
  } else {
    lines.push(`  describe: ${String(description ?? 'no answer within 5 s')}`);
  }
  const history = await within(5_000, handle.fetchHistory());
  if (typeof history === 'object' && history) {
    const events = history.events ?? [];
    lines.push(`  last ${Math.min(lastEvents, events.length)} of ${events.length} events:`);
    for (const event of events.slice(-lastEvents)) {
      const at = event.eventTime?.seconds
        ? new Date(Number(event.eventTime.seconds) * 1000).toISOString()
        : '?';
      lines.push(
        `    ${String(event.eventId)} ${at} ${eventName(event.eventType)}${detailOf(event)}`,
      );
    }
  } else {
    lines.push(`  history: ${String(history ?? 'no answer within 5 s')}`);
  }
  return lines.join('\n');
}

export interface ScenarioOptions {
  /** Real time the scenario may take; keep it under the test's own timeout. */
  deadlineMs: number;
  /** The workflows the scenario started so far (read on failure). */
  handles: () => WorkflowHandle[];
  /** The environment, for its clock in the diagnostic (the time-skipping server's may be locked). */
  env?: TestWorkflowEnvironment;
}

/**
 * Runs `work` while `worker` polls. When `work` fails or the deadline passes, the error carries a
 * description of every started workflow; in every case the runs still open are terminated before
 * the worker shuts down.
 */
export async function runScenario<T>(
  worker: Worker,
  options: ScenarioOptions,
  work: () => Promise<T>,
): Promise<T> {
  const startedAt = Date.now();
  const serverClock = () =>
    options.env ? within(5_000, options.env.currentTimeMs()) : Promise.resolve(undefined);
  const serverStartMs = await serverClock();
  return worker.runUntil(async () => {
    let timer: NodeJS.Timeout | undefined;
    const running = work();
    // Past the deadline the work goes on in the background; its late failure is not news.
    running.catch(() => undefined);
    try {
      return await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`scenario overran its ${options.deadlineMs} ms deadline`)),
            options.deadlineMs,
          );
        }),
      ]);
    } catch (error) {
      const serverNowMs = await serverClock();
      const parts = [
        `after ${Date.now() - startedAt} ms of real time` +
          (typeof serverNowMs === 'number' && typeof serverStartMs === 'number'
            ? `, ${serverNowMs - serverStartMs} ms of server time`
            : ''),
      ];
      for (const handle of options.handles()) parts.push(await describeRun(handle));
      const reason = error instanceof Error ? error : new Error(String(error));
      const told = `${reason.message}\n--- what the workflows were doing, ${parts.join('\n')}`;
      // The runner prints the stack, which was written with the original message.
      if (reason.stack?.includes(reason.message)) {
        reason.stack = reason.stack.replace(reason.message, told);
      }
      reason.message = told;
      throw reason;
    } finally {
      clearTimeout(timer);
      for (const handle of options.handles()) {
        await within(5_000, handle.terminate('test scenario over'));
      }
    }
  });
}
