/**
 * The scale benchmark's pure parts: a worker's RSS and CPU read from /proc's text, CPU seconds
 * per minute, and history events per run. The measurement itself is not a test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuSecondsPerMinute,
  eventsPerRun,
  MB,
  statCpuTicks,
  statusFieldBytes,
} from '../../bench/process-usage';

const status = [
  'Name:\tnode',
  'VmPeak:\t 1234567 kB',
  'VmHWM:\t  409600 kB',
  'VmRSS:\t  204800 kB',
  'Threads:\t11',
].join('\n');

describe('statusFieldBytes', () => {
  it('reads the resident set and its peak in bytes', () => {
    assert.equal(statusFieldBytes(status, 'VmRSS'), 200 * MB);
    assert.equal(statusFieldBytes(status, 'VmHWM'), 400 * MB);
  });

  it('refuses a status without the field', () => {
    assert.throws(() => statusFieldBytes('Name:\tnode\n', 'VmRSS'), /no VmRSS/);
  });
});

describe('statCpuTicks', () => {
  // Fields 14 (utime) = 700 and 15 (stime) = 45; cutime/cstime (16, 17) are not counted.
  const fields = (name: string) =>
    `4242 (${name}) S 1 4242 4242 0 -1 4194560 9000 0 0 0 700 45 3 2 20 0 11 0 100 1000 500`;

  it('adds user and system time of the process', () => {
    assert.equal(statCpuTicks(fields('node')), 745);
  });

  it('counts fields after the last parenthesis of a name holding spaces and parentheses', () => {
    assert.equal(statCpuTicks(fields('node (worker) x')), 745);
  });

  it('refuses text that is not a stat line', () => {
    assert.throws(() => statCpuTicks('garbage'), /not a \/proc/);
    assert.throws(() => statCpuTicks('1 (node) S 1'), /no utime/);
  });
});

describe('cpuSecondsPerMinute', () => {
  it('divides the CPU time used by the wall minutes between two samples', () => {
    // 300 ticks at 100 per second = 3 CPU s over 30 s of wall time: 6 CPU s per minute.
    const value = cpuSecondsPerMinute(
      { cpuTicks: 1_000, atMs: 0 },
      { cpuTicks: 1_300, atMs: 30_000 },
      100,
    );
    assert.equal(value, 6);
  });

  it('refuses samples out of order or going backwards', () => {
    assert.throws(
      () => cpuSecondsPerMinute({ cpuTicks: 1, atMs: 5 }, { cpuTicks: 2, atMs: 5 }, 100),
      /in order/,
    );
    assert.throws(
      () => cpuSecondsPerMinute({ cpuTicks: 9, atMs: 0 }, { cpuTicks: 2, atMs: 5 }, 100),
      /backwards/,
    );
  });
});

describe('eventsPerRun', () => {
  it('gives the largest run, the total and the number of runs', () => {
    assert.deepEqual(eventsPerRun([4_000, 9_500, 1_200]), { max: 9_500, total: 14_700, runs: 3 });
  });

  it('refuses a workflow with no run', () => {
    assert.throws(() => eventsPerRun([]), /no runs/);
  });
});
