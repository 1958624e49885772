import type { Db } from '../db/client';
import { createPhaseActivities } from './campaign-phase';
import { loadRunningCampaign } from './campaign-loader';
import { createCampaignRuntimeActivities } from './campaign-runtime';
import { createDeliverBatchActivity } from './delivery/deliver-batch';
import type { PacingSleep } from './delivery/pacing-sleep';
import { createWatchEntriesActivity } from './entries/watch-entries';
import { createPreflightActivities } from './preflight';
import { createStopsActivities } from './stops';
import { createXAccess, type XAccess, type XAccessDeps } from './x-access';

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
  /**
   * The wait between two sends inside deliverBatch; default a real, abortable sleep. Workflow
   * tests pass a compressed one: the time-skipping server skips no time while an activity runs.
   */
  pacingSleep?: PacingSleep;
  /** Tests interpose on X calls (a send that fails, a burst of entries while one is on its way). */
  interposeX?: (x: XAccess) => XAccess;
}

/** The named activities of a group, and nothing else it holds. */
function only<T, K extends keyof T>(group: T, ...names: K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const name of names) picked[name] = group[name];
  return picked;
}

/** The activities the worker registers; the worker injects the database and X access. */
export function createActivities(deps: ActivityDeps) {
  const direct = createXAccess({
    db: deps.db,
    credentialsKey: deps.credentialsKey,
    xApiBaseUrl: deps.xApiBaseUrl,
    ...deps.x,
  });
  const x = deps.interposeX ? deps.interposeX(direct) : direct;
  const runtime = createCampaignRuntimeActivities({
    db: deps.db,
    x,
    publicBaseUrl: deps.publicBaseUrl,
  });
  const preflight = createPreflightActivities({
    db: deps.db,
    x,
    webhookUrl: deps.webhookUrl,
    publicBaseUrl: deps.publicBaseUrl,
  });
  const stops = createStopsActivities({ db: deps.db, x, webhookUrl: deps.webhookUrl });
  // Only what workflows schedule is registered, each by name. The legacy workflow's activities
  // keep their names and shapes for its in-flight runs and histories. The x* calls of
  // x-access.ts are what these activities call, never activities of their own.
  return {
    ...only(createPhaseActivities({ db: deps.db }), 'recordPhase'),
    ...only(preflight, 'runPreflight'),
    ...only(
      stops,
      'checkAutomationArmed',
      'rearmAutomation',
      'openIntervention',
      'resolveInterventionRecord',
      'requeueDeliveries',
      'isActiveApprover',
      'recordAudit',
    ),
    ...only(
      runtime,
      'prepareCampaign',
      'pollEntries',
      'processEntries',
      'drawCampaign',
      'sendDelivery',
      'listDeliveryQueue',
      'computeReport',
    ),
    ...createDeliverBatchActivity({
      db: deps.db,
      sendDelivery: (input) => runtime.sendDelivery(input),
      ...(deps.pacingSleep ? { pacingSleep: deps.pacingSleep } : {}),
    }),
    ...createWatchEntriesActivity({
      db: deps.db,
      x,
      loadConfig: (campaignId) => loadRunningCampaign(deps.db, campaignId),
      webhookUrl: deps.webhookUrl,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
