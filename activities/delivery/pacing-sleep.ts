/**
 * The wait between two sends, inside the sending activity. Real time in production; workflow
 * tests inject a compressed one (the time-skipping server skips no time while an activity runs).
 */

/** Waits `ms`, or less when `signal` aborts: it resolves then (the caller checks the signal). */
export type PacingSleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realPacingSleep: PacingSleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
