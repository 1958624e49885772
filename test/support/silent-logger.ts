import type { Logger } from '@temporalio/common';

/** The SDK's own "Activity failed" lines would drown the test output; failures are asserted instead. */
export const silentLogger: Logger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
