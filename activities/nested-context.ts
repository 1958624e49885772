/**
 * Code written to run as an activity of its own (X access, the single send) called as a plain
 * function from inside another activity shares that activity's context: its heartbeats would
 * replace the caller's progress, and it would "resume" from whatever the caller heartbeated on
 * its last attempt. This runs such code in a view of the current context with its own
 * heartbeat channel and its own resume details; cancellation, sleep and logging stay the
 * caller's.
 */
import { asyncLocalStorage, type Context } from '@temporalio/activity';

export interface NestedContextOptions {
  /** Receives the nested code's heartbeat details (the caller wraps them into its own). */
  heartbeat: (details: unknown) => void;
  /** What the nested code sees as `info.heartbeatDetails` (undefined: a fresh start). */
  heartbeatDetails: unknown;
  /**
   * What the nested code sees as `info.attempt` (default: the caller's). A batch's later sends
   * are first attempts of their own, whatever attempt the batch is on.
   */
  attempt?: number;
}

export function runNested<T>(options: NestedContextOptions, fn: () => Promise<T>): Promise<T> {
  const outer = asyncLocalStorage.getStore();
  if (!outer) return fn();
  const nested = Object.create(outer, {
    info: {
      value: {
        ...outer.info,
        heartbeatDetails: options.heartbeatDetails,
        ...(options.attempt !== undefined ? { attempt: options.attempt } : {}),
      },
    },
    heartbeat: { value: options.heartbeat },
  }) as Context;
  return asyncLocalStorage.run(nested, fn);
}
