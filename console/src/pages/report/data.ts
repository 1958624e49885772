/**
 * What the report page reads: the stored report (written when delivery ends; 404
 * report_not_ready before), else what the live state and the deliveries tell so far; the
 * failures' reasons in both languages come with the failed deliveries.
 */
import { api, ApiFailure, apiError, must, type paths } from '../../api/client';
import { campaignTimeZone } from '../../labels';
import { loadCosts } from './cost';

type DeliveriesAnswer =
  paths['/v1/campaigns/{id}/deliveries']['get']['responses'][200]['content']['application/json'];
export type Quota = DeliveriesAnswer['quota'];
type Delivery = DeliveriesAnswer['deliveries'][number];
type CampaignAnswer =
  paths['/v1/campaigns/{id}']['get']['responses'][200]['content']['application/json'];
export type LiveState = NonNullable<NonNullable<CampaignAnswer['workflow']>['state']>;

export interface Localized {
  ja: string;
  en: string;
}

export interface DayCount {
  dayKey: string;
  count: number;
  cap: number | null;
}

export interface FailureRow {
  code: string;
  category: string | null;
  count: number;
}

/** The parts of the stored report the page shows (the report is free-form JSON in the API). */
export interface StoredReport {
  generatedAt: string | null;
  funnel: Record<string, number>;
  deliveries: Record<string, number>;
  channels: Record<string, number>;
  perDay: DayCount[];
  failures: FailureRow[];
  claims: { claimed: number; forfeited: number; promoted: number; open: number } | null;
}

const pageSize = 500;

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function numbers(value: unknown): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record(value)).filter((entry): entry is [string, number] => {
      return typeof entry[1] === 'number';
    }),
  );
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : [];
}

export function parseReport(raw: unknown): StoredReport {
  const report = record(raw);
  const claims = record(report.claims);
  return {
    generatedAt: typeof report.generatedAt === 'string' ? report.generatedAt : null,
    funnel: numbers(report.funnel),
    deliveries: numbers(report.deliveries),
    channels: numbers(report.channels),
    perDay: list(report.perDay).flatMap((day) =>
      typeof day.dayKey === 'string' && typeof day.count === 'number'
        ? [
            {
              dayKey: day.dayKey,
              count: day.count,
              cap: typeof day.cap === 'number' ? day.cap : null,
            },
          ]
        : [],
    ),
    failures: list(report.failures).flatMap((failure) =>
      typeof failure.code === 'string' && typeof failure.count === 'number'
        ? [
            {
              code: failure.code,
              category: typeof failure.category === 'string' ? failure.category : null,
              count: failure.count,
            },
          ]
        : [],
    ),
    claims:
      typeof claims.claimed === 'number'
        ? {
            claimed: claims.claimed,
            forfeited: Number(claims.forfeited ?? 0),
            promoted: Number(claims.promoted ?? 0),
            open: Number(claims.open ?? 0),
          }
        : null,
  };
}

async function deliveriesIn(id: string, state: 'sent' | 'failed') {
  return must(
    await api.GET('/v1/campaigns/{id}/deliveries', {
      params: { path: { id }, query: { state, limit: pageSize } },
    }),
  );
}

/** Sent deliveries per local day of their quota slot (the first page of them only). */
function sentPerDay(sent: Delivery[], quota: Quota): DayCount[] {
  const days = new Map<string, number>();
  for (const delivery of sent) {
    if (delivery.kind === 'rehearsal') continue;
    const day = delivery.windowDay ?? delivery.sentAt?.slice(0, 10);
    if (day) days.set(day, (days.get(day) ?? 0) + 1);
  }
  return [...days]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dayKey, count]) => ({ dayKey, count, cap: dayKey === quota.dayKey ? quota.cap : null }));
}

function failuresOf(failed: Delivery[]): FailureRow[] {
  const rows = new Map<string, FailureRow>();
  for (const delivery of failed) {
    if (delivery.kind === 'rehearsal') continue;
    const code = delivery.errorCode ?? 'unknown';
    const row = rows.get(code) ?? { code, category: delivery.errorCategory, count: 0 };
    row.count += 1;
    rows.set(code, row);
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

export async function loadReportPage(id: string) {
  const [detail, reportAnswer, failed, costs] = await Promise.all([
    api.GET('/v1/campaigns/{id}', { params: { path: { id } } }),
    api.GET('/v1/campaigns/{id}/report', { params: { path: { id } } }),
    deliveriesIn(id, 'failed'),
    // The cost is one section: when it cannot be read the rest of the report still shows.
    loadCosts(id).then(
      (answer) => ({ answer, error: null }),
      (failure: unknown) => ({
        answer: null,
        error: failure instanceof ApiFailure ? failure.error : apiError(failure),
      }),
    ),
  ]);
  const { campaign, workflow } = must(detail);
  let report: StoredReport | null = null;
  let storedAt: string | null = null;
  if (reportAnswer.data) {
    report = parseReport(reportAnswer.data.report);
    storedAt = reportAnswer.data.storedAt;
  } else {
    const error = apiError(reportAnswer.error, reportAnswer.response);
    if (error.code !== 'report_not_ready') throw new ApiFailure(error);
  }
  // Reasons in both languages, by error code, from the deliveries that failed with it.
  const reasons = new Map<string, { reason: Localized; remedy: Localized | null }>();
  for (const delivery of failed.deliveries) {
    if (delivery.errorCode && delivery.errorReason && !reasons.has(delivery.errorCode)) {
      reasons.set(delivery.errorCode, {
        reason: delivery.errorReason,
        remedy: delivery.errorRemedy,
      });
    }
  }
  const sent = report ? null : await deliveriesIn(id, 'sent');
  return {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      accountId: campaign.accountId,
      phase: campaign.phase,
      timeZone: campaignTimeZone(campaign.config),
    },
    state: workflow?.state ?? null,
    costs,
    report,
    storedAt,
    reasons,
    quota: failed.quota,
    live: sent
      ? {
          perDay: sentPerDay(sent.deliveries, failed.quota),
          perDayPartial: sent.deliveries.length === pageSize,
          failures: failuresOf(failed.deliveries),
          deliveries: failed.counts,
        }
      : null,
  };
}

export type ReportPageData = Awaited<ReturnType<typeof loadReportPage>>;
