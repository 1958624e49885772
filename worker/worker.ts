import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Settings } from '../config/settings';

export const workflowsPath = require.resolve('../workflows');

/**
 * Where X delivers this deployment's events: the API's webhook route under the public base URL,
 * registered with X exactly so. Unset without X_WEBHOOK_SECRET (no webhook: polling alone).
 */
export function webhookUrlFromSettings(
  settings: Pick<Settings, 'X_WEBHOOK_SECRET'>,
  publicBaseUrl: string,
): string | undefined {
  if (!settings.X_WEBHOOK_SECRET) return undefined;
  return `${publicBaseUrl.replace(/\/+$/, '')}/v1/webhooks/x`;
}

export interface KujiWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * How often an activity's heartbeats reach the server at most (default 1 s). Cancellation
   * reaches an activity only in the answer to a heartbeat; tests, whose pacing gaps are
   * compressed to a fraction of a second, pass a shorter one.
   */
  heartbeatThrottleMs?: number;
}

export async function createKujiWorker(options: KujiWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    // Cancellation reaches an activity only in the answer to a heartbeat, and the SDK throttles
    // heartbeats to 80% of the heartbeat timeout: a batch of sends must see a pause or cancel
    // within about a second, not 24 s.
    maxHeartbeatThrottleInterval: options.heartbeatThrottleMs ?? 1_000,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
  });
}
