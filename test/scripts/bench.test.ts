/**
 * `npm run bench`'s pure parts: the target check, the printed table, results.json's shape, the
 * arguments, and the figures read from histories. The measurements themselves are not tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History } from '@temporalio/common/lib/proto-utils';
import { activityTime, countEvents, eventsPerHour } from '../../bench/history-figures';
import {
  buildResults,
  checkFigure,
  displayWidth,
  formatMarkdown,
  formatTable,
  meetsTarget,
  parseBenchArgs,
  type Figure,
} from '../../bench/report';

const perDm: Figure = {
  name: 'history events per DM',
  nameJa: 'DM 1通あたりの履歴イベント数',
  value: 13.035,
  unit: 'events/DM',
  target: { atMost: 3 },
  detail: '2607 events in 1 run(s) / 200 DMs',
};
const perIdleHour: Figure = {
  name: 'history events per idle collecting hour',
  nameJa: '応募のない収集 1時間あたりの履歴イベント数',
  value: 24,
  unit: 'events/h',
  target: { atMost: 30 },
};
const throughput: Figure = {
  name: 'entries decided per second',
  nameJa: '1秒あたりに判定した応募数',
  value: 1234.5,
  unit: 'entries/s',
  target: null,
};
const machine = { cpuModel: 'Test CPU', cpus: 2, memoryGb: 8, platform: 'linux', node: 'v20' };

describe('the target check', () => {
  it('meets a ceiling at or under it and misses above it', () => {
    assert.equal(meetsTarget(3, { atMost: 3 }), true);
    assert.equal(meetsTarget(2.5, { atMost: 3 }), true);
    assert.equal(meetsTarget(3.01, { atMost: 3 }), false);
  });

  it('meets a floor at or over it and misses below it', () => {
    assert.equal(meetsTarget(0.95, { atLeast: 0.95 }), true);
    assert.equal(meetsTarget(0.94, { atLeast: 0.95 }), false);
  });

  it('never counts a value that could not be computed as met', () => {
    assert.equal(meetsTarget(Number.NaN, { atMost: 3 }), false);
    assert.equal(meetsTarget(Number.POSITIVE_INFINITY, { atMost: 3 }), false);
  });

  it('leaves a figure without a target neither met nor missed', () => {
    assert.equal(meetsTarget(5, null), null);
  });
});

describe('the printed table', () => {
  const table = formatTable([perDm, perIdleHour, throughput].map(checkFigure));
  const lines = table.split('\n');

  it('gives each figure its value, target and verdict in both languages', () => {
    const row = (name: string) => lines.find((l) => l.startsWith(name)) ?? '';
    assert.match(row('history events per DM'), /13\.04 events\/DM\s+≤ 3\s+OVER 超過$/);
    assert.match(
      row('history events per idle collecting hour'),
      /24 events\/h\s+≤ 30\s+PASS 達成$/,
    );
    assert.match(row('entries decided per second'), /1,235 entries\/s\s+—\s+— 目標なし$/);
    assert.ok(lines.includes('  DM 1通あたりの履歴イベント数'));
    assert.ok(lines.includes('  (2607 events in 1 run(s) / 200 DMs)'));
  });

  it('says UNDER for a floor that was missed', () => {
    const ratio = checkFigure({ ...throughput, value: 0.5, unit: '', target: { atLeast: 0.8 } });
    assert.match(formatTable([ratio]), /≥ 0\.80\s+UNDER 未達/);
  });

  it('lines the columns up, counting Japanese characters as two cells', () => {
    assert.equal(displayWidth('値'), 2);
    assert.equal(displayWidth('value / 値'), 10);
    // The rule under the header is ASCII: its dash runs are the columns.
    const columns = [...(lines[1] ?? '').matchAll(/-+/g)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
    }));
    const startOf = (line: string, cell: string) => displayWidth(line.slice(0, line.indexOf(cell)));
    const endOf = (line: string, cell: string) => startOf(line, cell) + displayWidth(cell);
    const header = lines[0] ?? '';
    const row = lines.find((l) => l.startsWith('history events per idle')) ?? '';
    // Names and verdicts are left-aligned, values and targets right-aligned.
    assert.equal(startOf(header, 'result / 判定'), columns[3]?.start);
    assert.equal(startOf(row, 'PASS 達成'), columns[3]?.start);
    assert.equal(endOf(header, 'value / 値'), columns[1]?.end);
    assert.equal(endOf(row, '24 events/h'), columns[1]?.end);
    assert.equal(endOf(header, 'target / 目標'), columns[2]?.end);
    assert.equal(endOf(row, '≤ 30'), columns[2]?.end);
  });
});

describe('bench/results.json', () => {
  it('holds the checked figures, the machine, the date and the workflow type', () => {
    const results = buildResults({
      measured: [{ benchmark: 'engine', figures: [perDm, perIdleHour, throughput] }],
      machine,
      date: new Date('2026-12-03T11:00:00Z'),
      workflowType: 'campaignWorkflow',
    });
    assert.deepEqual(
      results.figures.map(({ name, value, unit, target, met }) => ({
        name,
        value,
        unit,
        target,
        met,
      })),
      [
        { name: perDm.name, value: 13.035, unit: 'events/DM', target: { atMost: 3 }, met: false },
        { name: perIdleHour.name, value: 24, unit: 'events/h', target: { atMost: 30 }, met: true },
        { name: throughput.name, value: 1234.5, unit: 'entries/s', target: null, met: null },
      ],
    );
    assert.deepEqual(results.machine, machine);
    assert.equal(results.date, '2026-12-03T11:00:00.000Z');
    assert.equal(results.workflowType, 'campaignWorkflow');
    assert.deepEqual(JSON.parse(JSON.stringify(results)), results);
  });

  it('keeps the figures of benchmarks not run from the previous results of the same machine', () => {
    const first = buildResults({
      measured: [
        { benchmark: 'engine', figures: [perDm] },
        { benchmark: 'idle', figures: [perIdleHour] },
      ],
      machine,
      date: new Date('2026-12-01T00:00:00Z'),
      workflowType: 'campaignV2',
    });
    const again = buildResults({
      measured: [{ benchmark: 'engine', figures: [{ ...perDm, value: 1.2 }] }],
      machine,
      date: new Date('2026-12-03T00:00:00Z'),
      workflowType: 'campaignV2',
      previous: first,
    });
    assert.deepEqual(
      again.figures.map((f) => [f.benchmark, f.value, f.measuredAt.slice(0, 10), f.met]),
      [
        ['idle', 24, '2026-12-01', true],
        ['engine', 1.2, '2026-12-03', true],
      ],
    );
    const elsewhere = buildResults({
      measured: [{ benchmark: 'engine', figures: [perDm] }],
      machine: { ...machine, cpus: 8 },
      date: new Date('2026-12-03T00:00:00Z'),
      workflowType: 'campaignV2',
      previous: first,
    });
    assert.deepEqual(
      elsewhere.figures.map((f) => f.benchmark),
      ['engine'],
    );
  });

  it('renders as a Markdown table with the command that measures each figure again', () => {
    const markdown = formatMarkdown(
      buildResults({
        measured: [{ benchmark: 'engine-sending', figures: [perDm] }],
        machine,
        date: new Date('2026-12-03T11:00:00Z'),
        workflowType: 'campaignV2',
      }),
    );
    const lines = markdown.split('\n');
    assert.match(lines[0] ?? '', /^\| figure \/ 指標 \| value/);
    assert.equal(
      lines[2],
      '| history events per DM<br>DM 1通あたりの履歴イベント数 | 13.04 events/DM | ≤ 3 | OVER 超過 | 2026-12-03 | `npm run bench -- --only engine-sending` |',
    );
    assert.match(markdown, /Machine \/ 計測環境: 2 × Test CPU/);
  });
});

describe('npm run bench arguments', () => {
  const known = {
    workflowTypes: ['campaignV2', 'campaignWorkflow'],
    defaultWorkflowType: 'campaignV2',
    benchmarks: ['engine-cost', 'cap-utilisation'],
    out: 'bench/results.json',
  };

  it('defaults to every benchmark on the default workflow type', () => {
    assert.deepEqual(parseBenchArgs([], known), {
      workflowType: 'campaignV2',
      only: [],
      out: 'bench/results.json',
    });
  });

  it('takes the workflow type, a benchmark list and an output file, spaced or with =', () => {
    assert.deepEqual(
      parseBenchArgs(
        ['--workflow', 'campaignWorkflow', '--only=engine-cost', '--out', 'x.json'],
        known,
      ),
      { workflowType: 'campaignWorkflow', only: ['engine-cost'], out: 'x.json' },
    );
  });

  it('refuses a workflow type the worker does not register, naming those it does', () => {
    assert.throws(
      () => parseBenchArgs(['--workflow', 'campaignV3'], known),
      /unknown workflow type 'campaignV3'; the worker registers: campaignV2, campaignWorkflow/,
    );
  });

  it('refuses an unknown benchmark, an unknown flag and a flag without its value', () => {
    assert.throws(
      () => parseBenchArgs(['--only', 'engine-cost,speed'], known),
      /unknown benchmark speed/,
    );
    assert.throws(() => parseBenchArgs(['--fast'], known), /unknown argument '--fast'/);
    assert.throws(() => parseBenchArgs(['--workflow'], known), /--workflow needs a value/);
  });
});

describe('figures read from histories', () => {
  const at = (seconds: number) => ({ seconds, nanos: 0 });
  const run = (events: object[]): { history: History } => ({ history: { events } });
  const scheduled = (eventId: number, name: string) => ({
    eventId,
    eventTime: at(0),
    activityTaskScheduledEventAttributes: { activityType: { name } },
  });
  const started = (eventId: number, scheduledEventId: number, seconds: number) => ({
    eventId,
    eventTime: at(seconds),
    activityTaskStartedEventAttributes: { scheduledEventId },
  });
  const completed = (eventId: number, scheduledEventId: number, seconds: number) => ({
    eventId,
    eventTime: at(seconds),
    activityTaskCompletedEventAttributes: { scheduledEventId },
  });

  it('counts the events of every run, across continue-as-new', () => {
    assert.equal(countEvents([run([{}, {}, {}]), run([{}, {}])]), 5);
  });

  it('times only the completed executions of the named activities', () => {
    const first = run([
      scheduled(5, 'processEntries'),
      started(6, 5, 10),
      completed(7, 5, 12.5),
      scheduled(8, 'sendDelivery'),
      started(9, 8, 20),
      completed(10, 8, 60),
      scheduled(11, 'processEntries'),
      started(12, 11, 70),
    ]);
    // Event ids restart in a continued run: ids of the first run must not match here.
    const second = run([scheduled(5, 'pollEntries'), started(6, 5, 100), completed(7, 5, 101)]);
    const second2 = run([scheduled(3, 'processEntries'), started(4, 3, 200), completed(5, 3, 201)]);
    assert.deepEqual(activityTime([first, second, second2], ['processEntries']), {
      completed: 2,
      seconds: 3.5,
    });
  });

  it('divides the events added between two counts by the hours between them', () => {
    assert.equal(eventsPerHour(120, 210, 3), 30);
    assert.throws(() => eventsPerHour(1, 2, 0), /hours must be positive/);
  });
});
