import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryStates } from '../../db/repositories/deliveries';
import { findReport } from '../../db/repositories/reports';
import { isXErrorCode, xErrorCatalog } from '../../domain/x-errors';
import { roles } from '../plugins/auth';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { errorResponses, idParamsSchema } from '../schemas/common';
import {
  reportResponseSchema,
  type StoredReportContent,
  storedReportSchema,
} from '../schemas/reports';

/** The funnel in the order an operator reads it; PostgreSQL's jsonb keeps no key order. */
const funnelOrder = [
  'events',
  'participants',
  'eligible',
  'ineligible',
  'won',
  'lost',
  'alternates',
  'dmAttempted',
  'delivered',
];

function inOrder(keys: readonly string[], order: readonly string[]): string[] {
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark. */
const utf8Bom = '\uFEFF';

type CsvValue = string | number | null | undefined;

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula (CSV injection, OWASP): such a cell gets a leading `'`, which Excel shows as text.
 * Numbers are written as numbers, so a negative count stays a number.
 */
export function csvField(value: CsvValue): string {
  const raw = value === null || value === undefined ? '' : String(value);
  const text = typeof value !== 'number' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report as `section,key,value,detail` rows (see the route summary). CRLF line ends, as
 * RFC 4180 and Excel expect.
 */
export function reportCsv(campaign: { id: string; name: string }, report: StoredReportContent) {
  const rows: CsvValue[][] = [['section', 'key', 'value', 'detail']];
  rows.push(['campaign', 'id', campaign.id, null]);
  rows.push(['campaign', 'name', campaign.name, null]);
  rows.push(['campaign', 'generatedAt', report.generatedAt, null]);
  for (const day of report.perDay ?? []) rows.push(['day', day.dayKey, day.count, day.cap]);
  const { byIneligibleReason, ...funnel } = report.funnel ?? {};
  for (const key of inOrder(Object.keys(funnel), funnelOrder)) {
    const value = funnel[key];
    if (typeof value === 'number') rows.push(['funnel', key, value, null]);
  }
  const reasons = z.record(z.string(), z.number()).safeParse(byIneligibleReason).data ?? {};
  const byCount = Object.entries(reasons).sort(
    ([codeA, a], [codeB, b]) => b - a || (codeA < codeB ? -1 : 1),
  );
  for (const [code, count] of byCount) rows.push(['ineligible_reason', code, count, null]);
  const deliveries = report.deliveries ?? {};
  for (const state of inOrder(Object.keys(deliveries), deliveryStates)) {
    rows.push(['delivery_state', state, deliveries[state], null]);
  }
  for (const [channel, count] of Object.entries(report.channels ?? {})) {
    rows.push(['delivery_channel', channel, count, null]);
  }
  for (const failure of report.failures ?? []) {
    const reason = isXErrorCode(failure.code) ? xErrorCatalog[failure.code].reason : undefined;
    rows.push(['failure', failure.code, failure.count, failure.category]);
    if (reason) rows.push(['failure_reason', failure.code, reason.ja, reason.en]);
  }
  for (const prize of report.stock ?? []) {
    rows.push(['prize_stock', prize.prizeId, prize.stockRemaining, prize.stockTotal]);
    rows.push(['prize_name', prize.prizeId, prize.name, null]);
  }
  if (report.draw) {
    rows.push(['draw', 'seed', report.draw.seed, null]);
    rows.push(['draw', 'digest', report.draw.digest, null]);
    rows.push(['draw', 'entryCount', report.draw.entryCount, null]);
    rows.push(['draw', 'winners', report.draw.winners.length, null]);
  }
  if (report.claims) {
    for (const key of ['claimed', 'forfeited', 'promoted', 'open'] as const) {
      rows.push(['claims', key, report.claims[key], null]);
    }
  }
  if (report.xCost) {
    const cost = report.xCost;
    for (const line of cost.lines) rows.push(['x_cost', line.kind, line.units, line.usd]);
    rows.push(['x_cost', 'total_usd', cost.totalUsd, null]);
    rows.push(['x_cost', 'budget_usd', cost.budgetUsd, null]);
    rows.push(['x_cost', 'remaining_usd', cost.remainingUsd, null]);
    if (cost.accountWide) {
      rows.push(['x_cost', 'account_wide_usd', cost.accountWide.totalUsd, 'not in budget']);
    }
    rows.push(['x_cost', 'prices_read_on', cost.prices.readOn, cost.prices.source]);
  }
  return utf8Bom + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export default function reportRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function loadStoredReport(id: string) {
    const campaign = await requireCampaign(app.db, id);
    const stored = await findReport(app.db, campaign.id);
    if (!stored) {
      throw new AppError(
        404,
        'report_not_ready',
        `Campaign '${campaign.id}' has no report yet; it is written when delivery ends`,
      );
    }
    return { campaign, stored };
  }

  r.get(
    '/v1/campaigns/:id/report',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          "The campaign's stored report: funnel, deliveries per state and per local day, failures by code, prize stock, draw (404 report_not_ready until written)",
        tags: ['reports'],
        params: idParamsSchema,
        response: { 200: reportResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { stored } = await loadStoredReport(request.params.id);
      return { report: stored.report, storedAt: stored.updatedAt.toISOString() };
    },
  );

  r.get(
    '/v1/campaigns/:id/report.csv',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          'The report as CSV for Excel (UTF-8 with BOM, CRLF). Columns `section,key,value,detail`; ' +
          'sections in order: campaign (id, name, generatedAt), day (key = local day, value = sent, ' +
          'detail = cap), funnel (key = metric), ineligible_reason (key = code), delivery_state, ' +
          'failure (key = error code, detail = category), failure_reason (value = Japanese, ' +
          'detail = English), prize_stock (value = remaining, detail = total), prize_name, draw, ' +
          'claims (claimed, forfeited, promoted, open; only with claims on), x_cost (key = kind, ' +
          'value = units, detail = USD; then total_usd, budget_usd, remaining_usd, ' +
          'account_wide_usd (account-wide reads, not in the budget), and prices_read_on with ' +
          'the source as detail)',
        description:
          'Only a 200 is CSV: every error (404 report_not_ready, 409 report_unreadable, …) answers ' +
          'JSON `{ code, message }` like the rest of the API.',
        tags: ['reports'],
        params: idParamsSchema,
        produces: ['text/csv'],
        response: {
          200: z.string().describe('text/csv; charset=utf-8, starting with a BOM'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { campaign, stored } = await loadStoredReport(request.params.id);
      const parsed = storedReportSchema.safeParse(stored.report);
      if (!parsed.success) {
        throw new AppError(
          409,
          'report_unreadable',
          `The stored report of campaign '${campaign.id}' does not have the expected shape`,
        );
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="kuji-report-${campaign.id}.csv"`)
        .send(reportCsv(campaign, parsed.data));
    },
  );
}
