/**
 * X access for the activities: the calls a sender account makes to X, used by the activities
 * (preflight, entries, draw, delivery, stops) from inside their own execution. They are not
 * activities themselves and are never registered with the worker or scheduled by a workflow.
 * Each takes an `accountId` and looks the credentials up itself, so workflow inputs, results
 * and histories never hold a token.
 *
 * Failures leave as ApplicationFailure (x/failure.ts): `type` = the XError code, non-retryable
 * when retrying cannot help, `nextRetryDelay` = X's reset for rate limits, details = [XError];
 * the calling activity fails with it or classifies it.
 *
 * They run inside an activity's context: paged reads heartbeat a checkpoint after every page
 * (cursor and items so far) and resume from it on the next attempt of the calling activity, and
 * they wait for X's rate-limit reset instead of calling again. An activity that calls them gives
 * itself a heartbeatTimeout in the workflow.
 */
import { createXCore } from './core';
import type { XAccessDeps } from './types';
import { createXMessages } from './messages';
import { createXReads } from './reads';
import { createXWebhooks } from './webhooks';

export type * from './types';

export function createXAccess(deps: XAccessDeps) {
  const core = createXCore(deps);
  return {
    ...createXWebhooks(core),
    ...createXReads(core),
    ...createXMessages(core),
  };
}

export type XAccess = ReturnType<typeof createXAccess>;
