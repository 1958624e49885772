import type { Db } from '../db/client';
import { createCampaignActivities } from './campaign';
import { createClaimsActivities } from './claims';
import { createDeliveryActivities } from './delivery';
import type { PacingSleep } from './delivery/pacing-sleep';
import { createDrawActivities } from './draw';
import { createEntriesActivities } from './entries';
import { createFactFetcher } from './entries/participant-facts';
import { createPreflightActivities } from './preflight';
import { createReportActivities } from './report';
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

/** What a running campaign's use cases (campaign, entries, draw, delivery, report) need. */
export interface CampaignRuntimeDeps {
  db: Db;
  x: XAccess;
  /** Base of participants' personal result links, e.g. https://kuji.example.com */
  publicBaseUrl: string;
  /** Where X delivers this deployment's events; unset: polling alone, always armed. */
  webhookUrl?: string;
  /** Wall time: when X accepted a message, when facts were read (tests pass their own). */
  now?: () => Date;
  /** deliverBatch's wait between two sends (see ActivityDeps). */
  pacingSleep?: PacingSleep;
}

/** A running campaign's use cases, each its own group of activities. */
function createCampaignRuntime({
  db,
  x,
  publicBaseUrl,
  webhookUrl,
  now = () => new Date(),
  pacingSleep,
}: CampaignRuntimeDeps) {
  // One fact fetcher for entries and the draw: X's rate windows seen by one are the other's.
  const factFetcher = createFactFetcher({ db, x, now });
  return {
    campaign: createCampaignActivities({ db }),
    entries: createEntriesActivities({ db, x, factFetcher, webhookUrl }),
    draw: createDrawActivities({ db, x, factFetcher, now }),
    delivery: createDeliveryActivities({ db, x, publicBaseUrl, now, pacingSleep }),
    report: createReportActivities({ db }),
    claims: createClaimsActivities({ db }),
  };
}

/**
 * Every activity of a running campaign's use cases, unfiltered, over one set of dependencies:
 * what tests call directly, without a worker.
 */
export function createCampaignRuntimeActivities(deps: CampaignRuntimeDeps) {
  const { campaign, entries, draw, delivery, report, claims } = createCampaignRuntime(deps);
  return { ...campaign, ...entries, ...draw, ...delivery, ...report, ...claims };
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
  const { campaign, entries, draw, delivery, report, claims } = createCampaignRuntime({
    db: deps.db,
    x,
    publicBaseUrl: deps.publicBaseUrl,
    webhookUrl: deps.webhookUrl,
    pacingSleep: deps.pacingSleep,
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
  // x-access/ are what these activities call, never activities of their own.
  return {
    ...only(campaign, 'recordPhase', 'prepareCampaign'),
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
    ...only(entries, 'pollEntries', 'processEntries', 'watchEntries'),
    ...only(draw, 'drawCampaign'),
    ...only(delivery, 'sendDelivery', 'listDeliveryQueue', 'deliverBatch'),
    ...only(report, 'computeReport'),
    ...only(claims, 'settleClaims', 'purgeCampaignClaimData', 'closeCampaignClaims'),
  };
}

export type Activities = ReturnType<typeof createActivities>;
