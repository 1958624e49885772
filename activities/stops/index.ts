/**
 * The stops: where the workflow waits for a person (interventions), checks who may act and
 * records what they did (audit), and watches the automation it depends on.
 */
import type { Db } from '../../db/client';
import { createAuditActivities } from './audit';
import { type AutomationWatchDeps, createAutomationWatchActivities } from './automation-watch';
import { createInterventionActivities } from './interventions';

export type { AutomationArmedStatus, RearmOutcome } from './automation-watch';
export type {
  OpenInterventionInput,
  ResolveInterventionInput,
  ResolveInterventionResult,
} from './interventions';

export function createStopsActivities(deps: { db: Db } & Omit<AutomationWatchDeps, 'db'>) {
  return {
    ...createInterventionActivities({ db: deps.db }),
    ...createAuditActivities({ db: deps.db }),
    ...createAutomationWatchActivities(deps),
  };
}

export type StopsActivities = ReturnType<typeof createStopsActivities>;
