/**
 * The demo campaign `npm start` offers with the X emulator (not with real X, not with KUJI_DEMO=0):
 * examples/instant-win.json, running from now for 30 minutes, authored by a demo operator (a key
 * of its own, kept in the data folder) so that the local admin, someone else, can approve it in
 * the console. Once it collects, the emulated audience DMs its keyword one by one over a few
 * minutes, and X refuses one result DM once, so a failed delivery with its reason (and a resend)
 * shows. One demo campaign at a time: a later start finds the one still running and goes on
 * with it. Ctrl-C stops the participants; an error stops the demo with a line, never npm start.
 */
import { setTimeout as wait } from 'node:timers/promises';
import {
  actorOf,
  campaignEntryActions,
  type CampaignView,
  demoKey,
  type DemoKey,
  listEntries,
  postActions,
  refuseNextDm,
  registerTestAccounts,
} from './demo-audience';
import { demoEntrants, type ExampleBody, fillInstant, loadExample } from './examples';
import { type LocalStack, request, waitForPhase } from './local-api';
import { step } from './progress';

/** The DM keyword of the demo campaign: not one an example uses, so both can run at once. */
export const DEMO_KEYWORD = 'デモ';
/** Where the demo operator's key is kept in the data folder. */
export const DEMO_OPERATOR_KEY_FILE = 'demo-operator-key';
/** Participants of the demo world whose DMs are open to everyone (none of them a test account). */
export const demoAudience = [...demoEntrants, 'kaito_d', 'hayato_j', 'hana_aa', 'daiki_b'];

const ended = new Set(['completed', 'cancelled', 'failed']);
const beforeCollecting = new Set(['draft', 'preflight', 'awaiting_approval', 'scheduled']);
/** A campaign still waiting for approval this close to its end is replaced by a new one. */
const staleWithinMs = 10 * 60_000;

/** examples/instant-win.json as the demo: its own id, name and keyword, 30 minutes from now. */
export function demoCampaignBody(now: Date): ExampleBody {
  const stamp = now.toISOString().slice(5, 19).replace(/[-:T]/g, '');
  const body = loadExample('instant-win', now, `demo-${stamp}`);
  const rules = (body.config.entryRules as { all: { type: string; keyword?: string }[] }).all;
  return {
    ...body,
    config: {
      ...body.config,
      name: 'Kuji デモ: DMで「デモ」と送るとその場で当たる / Kuji demo: DM "デモ" for an instant win',
      entryRules: {
        all: rules.map((rule) =>
          rule.type === 'dm_keyword' ? { ...rule, keyword: DEMO_KEYWORD } : rule,
        ),
      },
      schedule: { ...body.config.schedule, endAt: fillInstant('now+30m', now) },
    },
  };
}

export interface DemoReady {
  id: string;
  /** Whether this run created it (else it was still running from an earlier start). */
  created: boolean;
  /** Whether it still waits for someone's approval. */
  awaitingApproval: boolean;
  consoleUrl: string;
}

export interface DemoCampaignOptions {
  stack: LocalStack;
  /** Ends the wait and the participants (Ctrl-C). */
  signal: AbortSignal;
  /** Where the demo operator's key is kept (default: the data folder). */
  dataDir?: string;
  /** From the first participant's entry to the last (default 3 minutes). */
  spreadMs?: number;
  /** How often the phase is read while waiting for approval (default 3 s). */
  pollMs?: number;
  /** Who enters (default: demoAudience). */
  entrants?: string[];
  now?: () => Date;
  log?: (line: string) => void;
  /** Told once the demo campaign exists: whether this run created it, and where to see it. */
  onReady?: (ready: DemoReady) => void;
}

export interface DemoOutcome {
  id: string;
  created: boolean;
  /** Who entered in this run, in order. */
  entered: string[];
  /** `entered`: all of them did; `stopped`: aborted; `not_collecting`: it ended or was cancelled. */
  end: 'entered' | 'stopped' | 'not_collecting';
}

async function getCampaign(stack: LocalStack, id: string): Promise<CampaignView> {
  const answer = await request(
    'GET',
    `${stack.apiUrl}/v1/campaigns/${encodeURIComponent(id)}`,
    stack.adminKey,
  );
  if (answer.status !== 200) {
    throw new Error(`reading campaign ${id} answered ${answer.status}`);
  }
  return answer.body.campaign as CampaignView;
}

/** The newest demo campaign (authored by the demo operator) that has not ended, if any. */
async function runningDemo(stack: LocalStack, operatorId: string) {
  const answer = await request('GET', `${stack.apiUrl}/v1/campaigns?limit=200`, stack.adminKey);
  if (answer.status !== 200) throw new Error(`listing campaigns answered ${answer.status}`);
  return ((answer.body.campaigns ?? []) as CampaignView[]).find(
    (campaign) => campaign.author === operatorId && !ended.has(campaign.phase ?? ''),
  );
}

/**
 * Cancels a demo campaign nobody approved that ends too soon to be worth approving, and waits
 * until it has ended: until then its keyword collides with the new one's (preflight refuses).
 */
async function cancelStaleDemo(options: DemoCampaignOptions, operator: DemoKey, id: string) {
  const { stack } = options;
  await request(
    'POST',
    `${stack.apiUrl}/v1/campaigns/${encodeURIComponent(id)}/cancel`,
    operator.secret,
    { reason: 'demo campaign never approved and ending; a new one replaces it' },
  );
  for (let waited = 0; (await runningDemo(stack, operator.id))?.id === id; waited += 1) {
    if (waited >= 60) throw new Error(`demo campaign ${id} did not end when cancelled`);
    await wait(1000, undefined, { signal: options.signal });
  }
  (options.log ?? step)(`demo campaign ${id} was never approved and ends soon: cancelled`);
}

/** The running demo campaign, or a new one when none runs (or it would end before anyone joins). */
async function ensureDemoCampaign(
  options: DemoCampaignOptions,
): Promise<{ id: string; created: boolean; phase: string }> {
  const { stack } = options;
  const log = options.log ?? step;
  const now = options.now?.() ?? new Date();
  const operator = await demoKey(stack, {
    role: 'operator',
    file: DEMO_OPERATOR_KEY_FILE,
    dataDir: options.dataDir,
  });
  const running = await runningDemo(stack, operator.id);
  if (running?.id) {
    const endsAt = Date.parse(running.config?.schedule?.endAt ?? '');
    const unapproved = beforeCollecting.has(running.phase ?? '');
    if (!unapproved || endsAt - now.getTime() >= staleWithinMs) {
      return { id: running.id, created: false, phase: running.phase ?? '' };
    }
    await cancelStaleDemo(options, operator, running.id);
  }
  const body = demoCampaignBody(now);
  await registerTestAccounts(stack, body.config, log);
  const created = await request('POST', `${stack.apiUrl}/v1/campaigns`, operator.secret, body);
  if (created.status !== 201) {
    throw new Error(
      `creating the demo campaign answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
  }
  return { id: body.id, created: true, phase: 'preflight' };
}

/** The entrants one after another, `gapMs` apart; each is added to `entered` once on X. */
async function enterOneByOne(
  options: DemoCampaignOptions,
  campaign: CampaignView,
  entrants: string[],
  gapMs: number,
  entered: string[],
): Promise<void> {
  const actions = campaignEntryActions(campaign, entrants);
  for (const [index, entrant] of entrants.entries()) {
    if (index > 0) await wait(gapMs, undefined, { signal: options.signal });
    await postActions(
      options.stack,
      actions.filter((action) => actorOf(action) === entrant),
    );
    entered.push(entrant);
  }
}

/**
 * Makes sure a demo campaign exists, waits until someone approves it and it collects, then has
 * the participants enter spread over `spreadMs`. Rejects on errors; resolves `stopped` on abort.
 */
export async function runDemoCampaign(options: DemoCampaignOptions): Promise<DemoOutcome> {
  const { stack, signal } = options;
  const log = options.log ?? step;
  const outcome: DemoOutcome = { id: '', created: false, entered: [], end: 'stopped' };
  try {
    const { id, created, phase: found } = await ensureDemoCampaign(options);
    Object.assign(outcome, { id, created });
    options.onReady?.({
      id,
      created,
      awaitingApproval: ['draft', 'preflight', 'awaiting_approval'].includes(found),
      consoleUrl: `${stack.apiUrl}/console/campaigns/${id}`,
    });
    const phase = await waitForPhase(
      stack,
      id,
      (p) => p !== '' && !beforeCollecting.has(p),
      Number.POSITIVE_INFINITY,
      { signal, everyMs: options.pollMs ?? 3000 },
    );
    if (phase !== 'collecting') {
      log(`demo campaign ${id} is ${phase}, no longer collecting: nobody enters it`);
      return { ...outcome, end: 'not_collecting' };
    }
    const campaign = await getCampaign(stack, id);
    // A later start goes on where an interrupted one stopped: nobody enters twice.
    const already = new Set((await listEntries(stack, id)).map((entry) => entry.username));
    const entrants = (options.entrants ?? demoAudience).filter((user) => !already.has(user));
    if (entrants.length > 0) {
      const spreadMs = options.spreadMs ?? 3 * 60_000;
      if (already.size === 0) {
        const status = await refuseNextDm(stack);
        if (status !== 200) log(`demo: the emulator did not take the DM fault (${status})`);
      }
      log(
        `demo campaign ${id} is collecting: ${entrants.length} participants DM 「${DEMO_KEYWORD}」 ` +
          `over ${Math.round(spreadMs / 1000)} s / 参加者が順に応募します`,
      );
      const gapMs = entrants.length > 1 ? spreadMs / (entrants.length - 1) : 0;
      await enterOneByOne(options, campaign, entrants, gapMs, outcome.entered);
      log(`demo campaign ${id}: all ${entrants.length} participants entered / 全員が応募しました`);
    }
    return { ...outcome, end: 'entered' };
  } catch (error) {
    if (signal.aborted) return outcome;
    throw error;
  }
}

/** What npm start prints about the demo campaign: where it is and what happens next. */
export function demoBanner(ready: DemoReady): string {
  return [
    `Demo campaign / デモキャンペーン (${ready.created ? 'new' : 'still running'}): ${ready.id}`,
    `  ${ready.consoleUrl}`,
    ...(ready.awaitingApproval
      ? [
          '  Approve it in the console (sign in with the admin key); then emulated participants enter over a few minutes.',
          '  コンソールで承認すると（管理者キーでサインイン）、参加者が数分かけて応募してきます。',
        ]
      : [
          '  Approved: emulated participants enter over a few minutes; watch them in the console.',
          '  承認済みです。参加者が数分かけて応募します。コンソールでご覧ください。',
        ]),
    '  (KUJI_DEMO=0 npm start: no demo campaign)',
    '',
  ].join('\n');
}

/** What `npm start` needs to offer the demo. */
export interface DemoOffer {
  apiUrl: string;
  adminKey: string;
  /** The X emulator's URL; undefined when X is real, and then there is no demo. */
  emulatorUrl: string | undefined;
  webUiUrl: string | undefined;
  onShutdown: (name: string, run: () => Promise<unknown>) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * `npm start`'s one call: in the background, the demo campaign and its participants. Prints the
 * console page to approve it on; Ctrl-C stops it; an error is a line, and npm start runs on.
 */
export function offerDemoCampaign(offer: DemoOffer): void {
  const env = offer.env ?? process.env;
  if (!offer.emulatorUrl || env.KUJI_DEMO === '0') return;
  const controller = new AbortController();
  const running = runDemoCampaign({
    stack: {
      apiUrl: offer.apiUrl,
      adminKey: offer.adminKey,
      emulatorUrl: offer.emulatorUrl,
      webUiUrl: offer.webUiUrl ?? '',
    },
    signal: controller.signal,
    onReady: (ready) => process.stdout.write(demoBanner(ready)),
  }).catch((error: unknown) => {
    step(`demo campaign stopped: ${error instanceof Error ? error.message : String(error)}`);
  });
  offer.onShutdown('demo campaign', async () => {
    controller.abort();
    await running;
  });
}
