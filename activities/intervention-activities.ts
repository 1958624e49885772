/**
 * The activity types the legacy campaign workflow (workflows/legacy/campaign-workflow.ts) imports
 * by this path. The activities live in stops/ and activities/index.ts registers them; this file
 * goes once the legacy workflow imports its types from activities/index.
 */
export type { StopsActivities as InterventionActivities } from './stops';
