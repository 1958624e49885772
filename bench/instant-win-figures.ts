/** The instant-win latency benchmark's figures from its measurements. Pure. */
import type { ActivityTally } from './activity-tally';
import type { LatencySummary, ScenarioSpan } from './latency';
import type { Figure } from './report';

/** Issue #14: Kuji's own share of an entry's latency, at the 95th percentile. */
export const KUJI_SHARE_P95_TARGET_MS = 1_000;

export interface ScenarioMeasurement {
  summary: LatencySummary;
  span: ScenarioSpan;
  /** 429s X answered during the scenario. */
  rate429s: number;
  /** Pacing sleeps the sending activity made during the scenario. */
  pacingSleeps: number;
  /** Webhook deliveries of these entries Kuji's API did not accept (X's retry would follow). */
  failedDeliveries: number;
  /** The workflow's activities while X's webhook delivered the entries (a burst only). */
  whileDelivering?: Record<string, ActivityTally>;
}

export interface ScenarioSetup {
  dmDailyCap: number;
  /** The entries came all at once (a burst): say how X's webhook delivered them. */
  together: boolean;
  /** The emulator's DM send limit per window (lifted for the benchmark). */
  xDmSendLimit: number | null;
  xDmWindowSeconds: number | null;
}

const ms = (value: number) => `${Math.round(value)} ms`;

/** Deciding and sending while the entries were still arriving. */
function activitiesWhileDelivering(tally: Record<string, ActivityTally> | undefined): string {
  if (!tally) return '';
  const decide = tally.processEntries ?? { scheduled: 0, cancelRequested: 0, completed: 0 };
  const send = tally.deliverBatch ?? { scheduled: 0, cancelRequested: 0, completed: 0 };
  return (
    `; while they arrived the workflow ran processEntries ${decide.scheduled}× and started ` +
    `deliverBatch ${send.scheduled}× (${send.cancelRequested} cancelled for newer entries)`
  );
}

/**
 * Kuji's share at p50, p95 (against the target) and p99 for one scenario; each detail says what
 * the share is taken out of and what was left out.
 */
export function instantWinFigures(
  label: string,
  labelJa: string,
  measured: ScenarioMeasurement,
  setup: ScenarioSetup,
): Figure[] {
  const { summary } = measured;
  const limits =
    setup.xDmSendLimit === null
      ? "X's DM limits as configured"
      : `X's DM limit lifted to ${setup.xDmSendLimit}/${setup.xDmWindowSeconds ?? '?'} s`;
  const base =
    `${summary.count} entries; webhook delivery → result DM accepted, total p50/p95/p99 ` +
    `${ms(summary.total.p50)}/${ms(summary.total.p95)}/${ms(summary.total.p99)} minus ` +
    `${ms(summary.waitedMs)} summed waits on X's rate limits (${measured.rate429s} 429s: from each ` +
    `429 to X's next answer) and pacing (${measured.pacingSleeps} sleeps; pacing 0/0); ` +
    `p95 from the entry on X, webhook queue included: ${ms(summary.fromEntryP95)}; ` +
    `cap ${setup.dmDailyCap}/day, ${limits}`;
  const { span } = measured;
  const timeline = setup.together
    ? `; X's webhook delivered the ${summary.count} in ${ms(span.deliveringMs)} (one POST at a ` +
      `time, median gap ${ms(span.deliveryGapP50Ms)}); first result DM ${ms(span.firstResultMs)}, ` +
      `last ${ms(span.lastResultMs)} after the first delivery` +
      activitiesWhileDelivering(measured.whileDelivering)
    : '';
  const failed =
    measured.failedDeliveries > 0
      ? `; ${measured.failedDeliveries} webhook deliveries refused`
      : '';
  const figure = (p: 'p50' | 'p95' | 'p99', target: Figure['target'], detail: string): Figure => ({
    name: `instant-win ${label}: Kuji's share ${p}`,
    nameJa: `インスタントウィン ${labelJa}: Kuji 自身の処理時間 ${p}`,
    value: summary.own[p],
    unit: 'ms',
    target,
    detail,
  });
  return [
    figure('p50', null, `${base}${timeline}${failed}`),
    figure('p95', { atMost: KUJI_SHARE_P95_TARGET_MS }, `see p50; target p95 < 1 s`),
    figure('p99', null, 'see p50'),
  ];
}
