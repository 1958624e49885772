/**
 * Small workflows that schedule deliverBatch and watchEntries with the options campaignV2 gives
 * them, so their Temporal behaviour (retries from heartbeat details, cancellation with
 * WAIT_CANCELLATION_COMPLETED, polling by retry policy on the time-skipping server) is tested on a
 * real worker without the whole campaign around them. Bundled for test/activities/ only.
 */
import { CancellationScope, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import { sendingOptions } from '../../../workflows/campaign/activity-proxies';
import type {
  DeliverBatchInput,
  DeliverBatchResult,
} from '../../../activities/delivery/deliver-batch';
import type { WatchEntriesInput, WatchOutcome } from '../../../activities/entries/watch-entries';

// The campaign's own options: the batch's retries are tested as the campaign schedules them.
const sending = proxyActivities<Activities>(sendingOptions);

const watching = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 minute', backoffCoefficient: 1 },
});

export async function batchWorkflow(input: DeliverBatchInput): Promise<DeliverBatchResult> {
  return sending.deliverBatch(input);
}

/** Starts a batch and cancels it after `cancelAfterMs`; returns what the batch answered. */
export async function cancelledBatchWorkflow(
  input: DeliverBatchInput,
  cancelAfterMs: number,
): Promise<DeliverBatchResult> {
  const scope = new CancellationScope();
  const batch = scope.run(() => sending.deliverBatch(input));
  await Promise.race([batch.then(() => undefined), sleep(cancelAfterMs)]);
  scope.cancel();
  return batch;
}

export async function watchWorkflow(input: WatchEntriesInput): Promise<WatchOutcome> {
  return watching.watchEntries(input);
}
