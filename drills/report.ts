/** What `npm run drills` prints and stores, and its arguments. Pure. */
import { displayWidth as width } from '../bench/report';
import type { DrillOutcome } from './drill';

export interface DrillResult extends DrillOutcome {
  name: string;
  seconds: number;
  seed: number;
}

export interface DrillArgs {
  only: string[];
  seed: number;
}

export function parseDrillArgs(
  argv: readonly string[],
  known: { drills: readonly string[]; defaultSeed: number },
): DrillArgs {
  const args: DrillArgs = { only: [], seed: known.defaultSeed };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && value !== undefined) {
      args.only = value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const unknown = args.only.filter((name) => !known.drills.includes(name));
      if (unknown.length > 0)
        throw new Error(
          `Unknown drill(s) ${unknown.join(', ')}; known: ${known.drills.join(', ')} / 不明なドリル`,
        );
      i += 1;
    } else if (flag === '--seed' && value !== undefined) {
      const seed = Number(value);
      if (!Number.isInteger(seed) || seed < 0)
        throw new Error(`--seed takes a whole number ≥ 0, not ${value} / シードは 0 以上の整数`);
      args.seed = seed;
      i += 1;
    } else {
      throw new Error(
        `Unknown argument ${flag}. Usage: npm run drills -- [--only name,name] [--seed N] / 不明な引数`,
      );
    }
  }
  return args;
}

function formatFigures(figures: DrillOutcome['figures']): string {
  return Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

export function formatDrillTable(results: readonly DrillResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.passed ? 'HELD 合格' : 'FAILED 不合格',
    `${r.seconds.toFixed(0)} s`,
    formatFigures(r.figures),
  ]);
  const header = ['drill / 訓練', 'result / 結果', 'time / 時間', 'figures / 数値'];
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => width(row[col] ?? ''))));
  return all
    .map((row) =>
      row
        .map((cell, col) => cell + ' '.repeat((widths[col] ?? 0) - width(cell)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
