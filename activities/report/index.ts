/** The analysis report: funnel, reconciliation and deliveries, stored for the API. */
import type { Db } from '../../db/client';
import type { XPriceTable } from '../../domain/x-cost';
import { createReportActivity } from './campaign-report';

export function createReportActivities(deps: { db: Db; xPrices?: XPriceTable }) {
  return createReportActivity(deps);
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
