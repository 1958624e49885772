/**
 * A process's memory and CPU as Linux reports them in /proc, and the figures built from them.
 * The parsers are pure (they take the files' text); `sampleProcess` reads the files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessSample {
  /** Resident set size now (VmRSS). */
  rssBytes: number;
  /** The highest resident set size so far (VmHWM). */
  peakRssBytes: number;
  /** User + system CPU time of all its threads, in clock ticks. */
  cpuTicks: number;
  /** When it was taken (ms since the epoch). */
  atMs: number;
}

/** A `VmRSS:   123456 kB`-style field of /proc/<pid>/status, in bytes. */
export function statusFieldBytes(statusText: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(statusText);
  if (!match?.[1]) throw new Error(`no ${field} in the process status`);
  return Number(match[1]) * 1024;
}

/**
 * utime + stime (fields 14 and 15) of /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may hold spaces or parentheses, so fields are counted after its last `)`.
 */
export function statCpuTicks(statText: string): number {
  const close = statText.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line');
  // After ")": field 3 (state) is the first.
  const fields = statText
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) {
    throw new Error('no utime/stime in the process stat');
  }
  return utime + stime;
}

/** CPU seconds the process used per minute of wall time between two samples. */
export function cpuSecondsPerMinute(
  before: Pick<ProcessSample, 'cpuTicks' | 'atMs'>,
  after: Pick<ProcessSample, 'cpuTicks' | 'atMs'>,
  ticksPerSecond: number,
): number {
  const minutes = (after.atMs - before.atMs) / 60_000;
  if (!(minutes > 0)) throw new Error('the samples must be taken in order, apart in time');
  if (after.cpuTicks < before.cpuTicks)
    throw new Error('CPU time went backwards: another process?');
  return (after.cpuTicks - before.cpuTicks) / ticksPerSecond / minutes;
}

export const MB = 2 ** 20;

/** Clock ticks per second (USER_HZ), the unit of /proc's CPU times. */
export function clockTicksPerSecond(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssBytes: statusFieldBytes(status, 'VmRSS'),
    peakRssBytes: statusFieldBytes(status, 'VmHWM'),
    cpuTicks: statCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    atMs: Date.now(),
  };
}

/** History events of each run of a workflow: the largest run and the whole. */
export function eventsPerRun(counts: readonly number[]): {
  max: number;
  total: number;
  runs: number;
} {
  if (counts.length === 0) throw new Error('no runs');
  return {
    max: Math.max(...counts),
    total: counts.reduce((sum, n) => sum + n, 0),
    runs: counts.length,
  };
}
