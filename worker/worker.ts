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
}

export async function createKujiWorker(options: KujiWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
  });
}
