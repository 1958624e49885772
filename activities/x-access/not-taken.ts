/**
 * A send that X certainly does not hold: X refused the send call itself before taking the
 * message (a 429), or Kuji held the call back because X's window was spent. Nothing can have
 * been delivered by this call, and any earlier attempt was looked for first, so the row needs
 * no conversation read before its next try. The mark travels beside the XError in the
 * failure's details (the XError stays first, where `xErrorFromDetails` reads it).
 */
import { ApplicationFailure } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';

interface NotTakenMark {
  xDidNotTakeIt: true;
}

function isMark(value: unknown): value is NotTakenMark {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<NotTakenMark>).xDidNotTakeIt === true
  );
}

/** The failure as it was, with the mark added to its details. */
export function markedNotTaken(error: unknown): unknown {
  if (!(error instanceof ApplicationFailure)) return error;
  const nextRetryDelay = msOptionalToNumber(error.nextRetryDelay ?? undefined);
  const marked = ApplicationFailure.create({
    message: error.message,
    ...(error.type ? { type: error.type } : {}),
    nonRetryable: error.nonRetryable ?? false,
    details: [...(error.details ?? []), { xDidNotTakeIt: true } satisfies NotTakenMark],
    ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    ...(error.cause ? { cause: error.cause } : {}),
  });
  marked.stack = error.stack;
  return marked;
}

/** Whether X certainly does not hold the message this failed send was for. */
export function xDidNotTakeIt(error: unknown): boolean {
  return error instanceof ApplicationFailure && (error.details ?? []).some(isMark);
}
