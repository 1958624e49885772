import type { Db } from '../db/client';
import { createCampaignActivities } from './campaign-activities';
import { createCampaignRuntimeActivities } from './campaign-runtime';
import { createInterventionActivities } from './intervention-activities';
import { createXAccess, type XAccessDeps } from './x-access';

export interface ActivityDeps {
  db: Db;
  /** Decrypts sender credentials; activities look them up by account id. */
  credentialsKey: Buffer;
  /** The X emulator's URL locally and in tests; unset for the real X API. */
  xApiBaseUrl?: string;
  /** Base of participants' personal result links. */
  publicBaseUrl: string;
  /**
   * Where X delivers this deployment's events (`${PUBLIC_BASE_URL}/v1/webhooks/x`); set only
   * when the deployment has a webhook (X_WEBHOOK_SECRET). Unset: polling alone, always armed.
   */
  webhookUrl?: string;
  /** Overrides for the X layer (tests pass the emulator's clock). */
  x?: Partial<Omit<XAccessDeps, 'db' | 'credentialsKey' | 'xApiBaseUrl'>>;
}

/** Every activity the worker registers; the worker injects the database and X access. */
export function createActivities(deps: ActivityDeps) {
  const x = createXAccess({
    db: deps.db,
    credentialsKey: deps.credentialsKey,
    xApiBaseUrl: deps.xApiBaseUrl,
    ...deps.x,
  });
  return {
    ...createCampaignActivities({
      db: deps.db,
      x,
      webhookUrl: deps.webhookUrl,
      publicBaseUrl: deps.publicBaseUrl,
    }),
    ...createInterventionActivities({ db: deps.db }),
    ...createCampaignRuntimeActivities({ db: deps.db, x, publicBaseUrl: deps.publicBaseUrl }),
    ...x,
  };
}

export type Activities = ReturnType<typeof createActivities>;
