/**
 * replicas: two API processes and two worker processes on one machine share a campaign, as two
 * replicas of each would in Kubernetes. Nothing a request needs may live in one replica's memory:
 * the campaign is started on one API and approved on the other; X's webhook entries alternate
 * between them; a console session signed in on one is used on the other; one key's requests,
 * alternated, meet one rate limit, not one per replica. The two workers share the task queue;
 * every winner gets exactly one DM, judged by the emulator (in this process).
 */
import {
  applyAction,
  DEMO_CONSUMER_SECRET,
  DEMO_SENDER_USERNAME,
  eventEnvelope,
} from '../emulator';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER } from '../x/webhook-signature';
import type { Drill, DrillContext, DrillOutcome } from './drill';
import {
  awaitResult,
  createDrillApiKey,
  judgeDrillCampaign,
  seedDrillCampaign,
  throwIfAborted,
  waitForPhase,
} from './lib/campaign';
import { type DrillApi, withDrillStack } from './lib/stack';
import { replicaFor, sharedLimitFailures } from './process-plan';
import { campaignWorkflowId } from '../workflows/search-attributes';

const ENTRIES = 120;
const WINNERS = 80;
/** API requests a minute per key on every replica (KUJI_RATE_LIMIT_PER_KEY). */
const PER_KEY = 30;

async function call(
  api: DrillApi,
  route: string,
  options: { method?: string; key?: string; cookie?: string; body?: unknown } = {},
): Promise<Response> {
  return fetch(`${api.url}${route}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
}

async function run(context: DrillContext): Promise<DrillOutcome> {
  const { signal } = context;
  const progress = (message: string) => context.progress(message);
  return withDrillStack(
    {
      progress,
      webhookSecret: DEMO_CONSUMER_SECRET,
      apiEnv: { KUJI_RATE_LIMIT_PER_KEY: String(PER_KEY) },
    },
    async (stack) => {
      const failures: string[] = [];
      const [apiA, apiB] = [await stack.startApi('api-a'), await stack.startApi('api-b')];
      await stack.startWorker('worker-a');
      await stack.startWorker('worker-b');
      const apis = [apiA, apiB];
      const operator = await createDrillApiKey(stack, 'operator', 'olive');
      const approver = await createDrillApiKey(stack, 'approver', 'bob-replicas');
      const viewer = await createDrillApiKey(stack, 'viewer', 'vera');

      // Entries come only by X's webhook: collection lasts long enough for every POST.
      const campaign = await seedDrillCampaign(stack, {
        name: 'replicas',
        entries: ENTRIES,
        winners: WINNERS,
        collectSeconds: 45,
        entriesStored: false,
      });
      const started = await call(apiA, `/v1/campaigns/${campaign.campaignId}/start`, {
        method: 'POST',
        key: operator,
        body: {},
      });
      if (started.status >= 300) {
        throw new Error(`start on api-a answered ${started.status}: ${await started.text()}`);
      }
      const handle = stack.client.workflow.getHandle(campaignWorkflowId(campaign.campaignId));
      await waitForPhase(handle, (phase) => phase === 'awaiting_approval', signal);
      const approved = await call(apiB, `/v1/campaigns/${campaign.campaignId}/approve`, {
        method: 'POST',
        key: approver,
        body: {},
      });
      if (approved.status !== 200) {
        failures.push(
          `approval on api-b of a campaign started on api-a answered ${approved.status} / 別レプリカでの承認に失敗`,
        );
      }
      progress('started on api-a, approved on api-b');

      // Every participant DMs the keyword; X delivers each event to one replica or the other.
      const from = stack.emulator.events().length;
      for (const person of campaign.people) {
        applyAction(stack.emulator, {
          type: 'dm',
          from: person.username,
          to: DEMO_SENDER_USERNAME,
          text: '参加します',
        });
      }
      const events = stack.emulator
        .events(from)
        .filter((event) => event.eventType === 'dm.received');
      const accepted = [0, 0];
      for (const [i, event] of events.entries()) {
        throwIfAborted(signal);
        const body = JSON.stringify(eventEnvelope(event));
        const api = replicaFor(apis, i);
        const answer = await fetch(`${api.url}/v1/webhooks/x`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(DEMO_CONSUMER_SECRET, body),
          },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        if (answer.status < 300) accepted[i % 2] = (accepted[i % 2] ?? 0) + 1;
        else failures.push(`webhook event ${i} on ${api.process.options.name}: ${answer.status}`);
      }
      progress(`webhook events accepted: api-a ${accepted[0]}, api-b ${accepted[1]}`);

      // A console session signed in on one replica works on the other.
      const signIn = await call(apiA, '/v1/console/session', {
        method: 'POST',
        body: { apiKey: viewer },
      });
      const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
      const sessionRead = cookie
        ? await call(apiB, `/v1/campaigns/${campaign.campaignId}`, { cookie })
        : undefined;
      if (sessionRead?.status !== 200) {
        failures.push(
          `a console session from api-a was refused on api-b (${sessionRead?.status ?? `sign-in ${signIn.status}`}) / セッションがレプリカ間で共有されていない`,
        );
      }

      // One key, PER_KEY + 10 requests within the minute, alternated: one limit across both.
      const limitKey = await createDrillApiKey(stack, 'viewer', 'rita');
      const statuses: number[] = [];
      for (let i = 0; i < PER_KEY + 10; i += 1) {
        const answer = await call(replicaFor(apis, i), `/v1/campaigns/${campaign.campaignId}`, {
          key: limitKey,
        });
        statuses.push(answer.status);
      }
      failures.push(...sharedLimitFailures(statuses, PER_KEY, apis.length));

      await awaitResult(handle, signal, stack.closing);
      const verdict = await judgeDrillCampaign(stack, campaign);
      failures.push(...verdict.failures);
      const down = stack.workers.filter((w) => !w.running).map((w) => w.options.name);
      if (down.length > 0) failures.push(`worker process(es) exited: ${down.join(', ')}`);
      return {
        passed: failures.length === 0,
        figures: {
          ...verdict.figures,
          webhookA: accepted[0] ?? 0,
          webhookB: accepted[1] ?? 0,
          keyRequests: statuses.length,
          keyAllowed: statuses.filter((s) => s !== 429).length,
          keyLimit: PER_KEY,
        },
        failures,
      };
    },
  );
}

export const replicasDrill: Drill = {
  name: 'replicas',
  summary:
    'two API and two worker processes share a campaign: start on one API, approve on the other, ' +
    'webhook entries alternated, a console session and a key rate limit across both; every ' +
    'winner one DM / レプリカ間で状態を共有',
  budgetSeconds: 180,
  run,
};
