// The bench worker's workflows: Kuji's own (the engine under measurement) and the bench-only
// references beside them, so both run on one worker. Only workflow functions are exported here.
export * from '../../workflows';
export { bareSendBatch, bareSendLoop } from './bare-send-loop';
