/** The shape every benchmark of `npm run bench` has: a name and a run that returns figures. */
import type { Figure } from './report';

export interface BenchContext {
  /** The campaign workflow type under measurement (a name the worker registers). */
  workflowType: string;
  /** A progress line on stderr, so a run of minutes never looks hung. */
  progress(message: string): void;
}

export interface Benchmark {
  /** Used with --only. */
  name: string;
  /** One line on what it measures, printed as it starts. */
  summary: string;
  run(context: BenchContext): Promise<Figure[]>;
}
