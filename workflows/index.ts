// Only workflow functions are exported here: anything else would be registered as a workflow type.
export { campaignWorkflow } from './campaign';
