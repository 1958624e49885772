/**
 * The one way an X failure leaves an activity: an ApplicationFailure whose `type` is the stable
 * code, non-retryable when retrying cannot help, `nextRetryDelay` at X's reset instant for rate
 * limits, and the classified XError (never the raw request, which carries credentials) as details.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { XError } from '../domain/x-errors';

/** Never ask Temporal to retry sooner than this, even when the reset is already due. */
const MIN_RETRY_DELAY_MS = 1_000;

export function retryDelayMs(error: XError, nowMs: number): number | undefined {
  if (!error.retryable || !error.retryAt) return undefined;
  return Math.max(MIN_RETRY_DELAY_MS, Date.parse(error.retryAt) - nowMs);
}

export function xErrorToApplicationFailure(error: XError, nowMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: error.code,
    message: `${error.code}: ${error.reason.en}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: retryDelayMs(error, nowMs),
    details: [error],
  });
}
