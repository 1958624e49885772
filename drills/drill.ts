/**
 * The shape every fault drill of `npm run drills` has. A drill breaks something on purpose in the
 * middle of a campaign (a killed worker, a restarted server, X failing) and then judges the
 * outcome by the X emulator's record of what was sent.
 */

export interface DrillContext {
  /** A progress line on stderr, so a run of minutes never looks hung. */
  progress(message: string): void;
  /** Aborted when the drill passes its time budget: stop waiting and clean up. */
  signal: AbortSignal;
  /** Seeds every random choice (kill moments, fault rolls), printed so a failure can be re-run. */
  seed: number;
}

export interface DrillOutcome {
  /** True only when every check held. */
  passed: boolean;
  /** What was done and counted, e.g. { winners: 300, dmsSent: 300, kills: 20 }. */
  figures: Record<string, number | string>;
  /** Each check that failed, in words a person can act on (empty when passed). */
  failures: string[];
}

export interface Drill {
  /** Used with --only; kebab-case. */
  name: string;
  /** One line on what breaks and what must hold, printed as it starts. */
  summary: string;
  /** Wall-clock budget on a two-core machine; the runner aborts the drill past it. */
  budgetSeconds: number;
  run(context: DrillContext): Promise<DrillOutcome>;
}
