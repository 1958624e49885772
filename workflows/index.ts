// Only workflow functions are exported here: anything else would be registered as a workflow type.
// `campaignV2` runs every new campaign; `campaignWorkflow` is the frozen first engine, kept until
// the runs it started have finished (see workflows/legacy/campaign-workflow.ts).
export { campaignV2 } from './campaign/workflow';
// A campaign with claims starts it when it ends: claim answers purged after the retention period.
export { purgeClaimData } from './campaign/claim-purge';
export { campaignWorkflow } from './legacy/campaign-workflow';
