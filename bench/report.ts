/**
 * What a benchmark run prints and stores: figures checked against their targets, a table for the
 * terminal and the object written to bench/results.json. Pure: the caller measures and describes
 * the machine.
 */

/** A figure's target: a ceiling (history events) or a floor (throughput ratios). */
export type Target = { atMost: number } | { atLeast: number };

export interface Figure {
  /** Stable English name, the key in results.json. */
  name: string;
  /** The same in Japanese, printed beside the name. */
  nameJa: string;
  value: number;
  unit: string;
  /** null: informational, no promise attached. */
  target: Target | null;
  /** How the value was obtained (counts it is a ratio of), for the reader of the table. */
  detail?: string;
}

/** A figure as results.json keeps it: which benchmark measured it and when. */
export interface StoredFigure extends CheckedFigure {
  /** The benchmark's name (`npm run bench -- --only <benchmark>` measures it again). */
  benchmark: string;
  /** ISO time of the run that measured it. */
  measuredAt: string;
}

export interface CheckedFigure extends Figure {
  /** null when the figure has no target. */
  met: boolean | null;
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  platform: string;
  node: string;
}

export interface BenchResults {
  figures: StoredFigure[];
  machine: Machine;
  date: string;
  workflowType: string;
}

export function meetsTarget(value: number, target: Target | null): boolean | null {
  if (target === null) return null;
  if (!Number.isFinite(value)) return false;
  return 'atMost' in target ? value <= target.atMost : value >= target.atLeast;
}

export function checkFigure(figure: Figure): CheckedFigure {
  return { ...figure, met: meetsTarget(figure.value, figure.target) };
}

export function describeTarget(target: Target | null): string {
  if (target === null) return '—';
  return 'atMost' in target
    ? `≤ ${formatNumber(target.atMost)}`
    : `≥ ${formatNumber(target.atLeast)}`;
}

/** PASS, or which side of the target the value fell on; bilingual like everything people read. */
export function verdict(figure: CheckedFigure): string {
  if (figure.met === null) return '— 目標なし';
  if (figure.met) return 'PASS 達成';
  return figure.target && 'atMost' in figure.target ? 'OVER 超過' : 'UNDER 未達';
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 2;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Columns on a terminal: Japanese (and other wide) characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/**
 * The table printed at the end of a run: one row per figure (English name, then the Japanese
 * name and how it was measured on indented lines beneath).
 */
export function formatTable(figures: CheckedFigure[]): string {
  const header = ['figure / 指標', 'value / 値', 'target / 目標', 'result / 判定'];
  const rows = figures.map((f) => [
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    describeTarget(f.target),
    verdict(f),
  ]);
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((row) => displayWidth(row[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0, i === 1 || i === 2 ? 'right' : 'left'))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  figures.forEach((figure, i) => {
    out.push(line(rows[i] ?? []));
    out.push(`  ${figure.nameJa}`);
    if (figure.detail) out.push(`  (${figure.detail})`);
  });
  return out.join('\n');
}

export function buildResults(input: {
  /** Each benchmark that ran, with the figures it measured. */
  measured: { benchmark: string; figures: Figure[] }[];
  machine: Machine;
  date: Date;
  workflowType: string;
  /** The previous results.json: figures of benchmarks not run this time are kept from it. */
  previous?: BenchResults;
}): BenchResults {
  const measuredAt = input.date.toISOString();
  const ran = new Set(input.measured.map((m) => m.benchmark));
  const fresh = input.measured.flatMap(({ benchmark, figures }) =>
    figures.map((figure) => ({ ...checkFigure(figure), benchmark, measuredAt })),
  );
  const kept =
    input.previous?.figures.filter(
      (figure) =>
        typeof figure.benchmark === 'string' &&
        !ran.has(figure.benchmark) &&
        // Figures measured on another machine or engine are not this run's to keep.
        describeMachine(input.previous?.machine ?? input.machine) ===
          describeMachine(input.machine) &&
        input.previous?.workflowType === input.workflowType,
    ) ?? [];
  return {
    figures: [...kept, ...fresh],
    machine: input.machine,
    date: measuredAt,
    workflowType: input.workflowType,
  };
}

/**
 * results.json as a Markdown table for the README's performance section: each figure with its
 * target, verdict, date and the command that measures it again.
 */
export function formatMarkdown(results: BenchResults): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = results.figures.map((f) =>
    [
      `${cell(f.name)}<br>${cell(f.nameJa)}`,
      `${formatNumber(f.value)} ${cell(f.unit)}`,
      describeTarget(f.target),
      verdict(f),
      f.measuredAt.slice(0, 10),
      `\`npm run bench -- --only ${f.benchmark}\``,
    ].join(' | '),
  );
  return [
    '| figure / 指標 | value / 値 | target / 目標 | result / 判定 | measured / 計測日 | reproduce / 再計測 |',
    '| --- | ---: | ---: | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
    '',
    `Machine / 計測環境: ${describeMachine(results.machine)}; workflow type \`${results.workflowType}\`.`,
  ].join('\n');
}

/** A short line naming what the figures were measured on, printed under the table. */
export function describeMachine(machine: Machine): string {
  return `${machine.cpus} × ${machine.cpuModel}, ${formatNumber(machine.memoryGb)} GB, ${machine.platform}, Node ${machine.node}`;
}

export interface BenchArgs {
  workflowType: string;
  /** Benchmarks to run by name; empty: all. */
  only: string[];
  /** Where results.json goes. */
  out: string;
}

/**
 * `npm run bench -- [--workflow <type>] [--only <name>[,<name>]] [--out <file>]`. Unknown flags,
 * workflow types and benchmark names are refused with what is accepted.
 */
export function parseBenchArgs(
  argv: string[],
  known: {
    workflowTypes: string[];
    defaultWorkflowType: string;
    benchmarks: string[];
    out: string;
  },
): BenchArgs {
  const args: BenchArgs = { workflowType: known.defaultWorkflowType, only: [], out: known.out };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg];
    const value = (): string => {
      const next = inline ?? argv[(i += 1)];
      if (next === undefined || next === '') throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--workflow') {
      const type = value();
      if (!known.workflowTypes.includes(type)) {
        throw new Error(
          `unknown workflow type '${type}'; the worker registers: ${known.workflowTypes.join(', ')}`,
        );
      }
      args.workflowType = type;
    } else if (flag === '--only') {
      const names = value()
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !known.benchmarks.includes(n));
      if (unknown.length > 0) {
        throw new Error(
          `unknown benchmark ${unknown.join(', ')}; there are: ${known.benchmarks.join(', ')}`,
        );
      }
      args.only = names;
    } else if (flag === '--out') {
      args.out = value();
    } else {
      throw new Error(`unknown argument '${arg}' (use --workflow, --only, --out)`);
    }
  }
  return args;
}
