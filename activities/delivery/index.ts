/**
 * Delivery: results sent under the account's DM quota, one at a time (sendDelivery, with
 * listDeliveryQueue for the legacy workflow) or paced in batches (deliverBatch). Which channel a
 * result goes by is planned when it is queued (delivery-plan.ts, used by entries and the draw).
 */
import { loadXPrices } from '../../config/x-prices';
import type { Db } from '../../db/client';
import type { XPriceTable } from '../../domain/x-cost';
import { createDeliverBatchActivity } from './deliver-batch';
import { createDeliveryQueueActivity } from './delivery-queue';
import type { PacingSleep } from './pacing-sleep';
import { createSendDeliveryActivity, type SendDeliveryDeps } from './send-delivery';
import { createXBudgetGuard } from './x-budget';

export type { SendOutcome } from './send-delivery';

export interface DeliveryDeps {
  db: Db;
  x: SendDeliveryDeps['x'];
  /** Base of participants' personal result links. */
  publicBaseUrl: string;
  /** Wall time: when X accepted a message. */
  now: () => Date;
  /** The wait between two sends inside deliverBatch; default a real, abortable sleep. */
  pacingSleep?: PacingSleep;
  /** X's prices for the budget check; default config/x-prices.ts (KUJI_X_PRICES). */
  xPrices?: XPriceTable;
}

export function createDeliveryActivities({
  db,
  x,
  publicBaseUrl,
  now,
  pacingSleep,
  xPrices = loadXPrices(),
}: DeliveryDeps) {
  const send = createSendDeliveryActivity({ db, x, publicBaseUrl, now });
  return {
    ...send,
    ...createDeliveryQueueActivity({ db }),
    ...createDeliverBatchActivity({
      db,
      sendDelivery: (input) => send.sendDelivery(input),
      ...(pacingSleep ? { pacingSleep } : {}),
      xBudget: createXBudgetGuard({ db, prices: xPrices }),
    }),
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
