/**
 * The activity types the legacy campaign workflow (workflows/legacy/campaign-workflow.ts) imports
 * by this path. The activities live by use case — campaign-phase.ts, preflight/ and stops/ — and
 * activities/index.ts registers them; this file goes once the legacy workflow imports its types
 * from activities/index.
 */
import type { PhaseActivities } from './campaign-phase';
import type { PreflightActivities } from './preflight';
import type { AutomationWatchActivities } from './stops/automation-watch';

export type { RearmOutcome } from './stops/automation-watch';

export type CampaignActivities = PhaseActivities & PreflightActivities & AutomationWatchActivities;
