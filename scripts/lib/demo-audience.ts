/**
 * What the demo helpers (`npm run demo`, the demo campaign of `npm start`) do on the local stack:
 * keys of the demo's own people kept in the data folder, the test accounts a campaign rehearses
 * to, the emulated participants' moves on X, X refusing one result DM, and the entries so far.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_SENDER_USERNAME } from '../../emulator/demo';
import { demoEntrants, type EmulatorAction, entryActions } from './examples';
import { type LocalStack, request } from './local-api';
import { dataDir as defaultDataDir } from './paths';

/** What the helpers read of a campaign (`GET /v1/campaigns/{id}`). */
export interface CampaignView {
  id?: string;
  phase?: string;
  author?: string;
  config?: {
    post?: { tweetId?: string };
    entryRules?: { all?: { type: string }[] };
    schedule?: { endAt?: string };
    claim?: unknown;
  };
}

export interface DemoKey {
  /** The key's id: who its holder is (authorship, approvals, the audit log). */
  id: string;
  secret: string;
}

/** The active API key whose secret starts like this one, looked up by the admin. */
async function activeKeyId(stack: LocalStack, secret: string): Promise<string | undefined> {
  const limit = 500;
  for (let offset = 0; ; offset += limit) {
    const answer = await request(
      'GET',
      `${stack.apiUrl}/v1/api-keys?limit=${limit}&offset=${offset}`,
      stack.adminKey,
    );
    if (answer.status !== 200) {
      throw new Error(`listing API keys answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    const keys = (answer.body.apiKeys ?? []) as {
      id: string;
      keyPrefix: string;
      revokedAt: string | null;
    }[];
    const found = keys.find((key) => key.revokedAt === null && secret.startsWith(key.keyPrefix));
    if (found || keys.length < limit) return found?.id;
  }
}

/**
 * A key of one of the demo's people (the approver of `npm run demo`, the operator who authors
 * `npm start`'s demo campaign), kept in `<data dir>/<file>`: the one kept there while it is
 * still active, else a new one made by the admin.
 */
export async function demoKey(
  stack: LocalStack,
  person: { role: 'operator' | 'approver'; file: string; dataDir?: string },
): Promise<DemoKey> {
  const file = path.join(person.dataDir ?? defaultDataDir, person.file);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    const id = secret ? await activeKeyId(stack, secret) : undefined;
    if (id) return { id, secret };
  }
  const created = await request('POST', `${stack.apiUrl}/v1/api-keys`, stack.adminKey, {
    name: `demo-${person.role}-${Date.now().toString(36)}`,
    role: person.role,
  });
  const { id, secret } = created.body;
  if (created.status !== 201 || typeof secret !== 'string' || typeof id !== 'string') {
    throw new Error(
      `creating the demo ${person.role} key answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
  }
  writeFileSync(file, secret, { mode: 0o600 });
  return { id, secret };
}

/**
 * Rehearsal DMs go only to test accounts an admin registered for the sender account; the
 * examples rehearse to @aoi_y of the demo world, so register it (again is a no-op).
 */
export async function registerTestAccounts(
  stack: LocalStack,
  config: Record<string, unknown>,
  log: (line: string) => void = console.log,
) {
  const accountId = String(config.accountId);
  for (const xUserId of (config.testAccounts as string[] | undefined) ?? []) {
    const answer = await request(
      'POST',
      `${stack.apiUrl}/v1/accounts/${encodeURIComponent(accountId)}/test-accounts`,
      stack.adminKey,
      { xUserId, label: 'examples/ rehearsal (emulator @aoi_y)' },
    );
    if (answer.status === 201) log(`registered ${xUserId} as a test account of '${accountId}'`);
    else if (answer.status !== 200) {
      log(`registering test account ${xUserId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }
}

/** Whether the campaign answers entries with DMs (only a DM can be refused by X). */
export function sendsDms(campaign: CampaignView): boolean {
  return (campaign.config?.entryRules?.all ?? []).some((rule) => rule.type === 'dm_keyword');
}

/** What the entrants do on X so that they enter this campaign. */
export function campaignEntryActions(
  campaign: CampaignView,
  entrants: string[] = demoEntrants,
): EmulatorAction[] {
  return entryActions(
    campaign.config?.entryRules?.all ?? [],
    campaign.config?.post?.tweetId ?? '',
    DEMO_SENDER_USERNAME,
    entrants,
  );
}

/** Who makes an action on X. */
export function actorOf(action: EmulatorAction): string {
  return action.type === 'dm' ? action.from : action.user;
}

/** Has X (the emulator) refuse the next DM the sender sends, once; answers the HTTP status. */
export async function refuseNextDm(stack: LocalStack): Promise<number> {
  const fault = await request('POST', `${stack.emulatorUrl}/_admin/faults`, undefined, {
    endpoint: 'dm.send',
    fault: 'not_permitted',
    count: 1,
  });
  return fault.status;
}

/** The participants' moves, posted to the emulator's admin API (it delivers them as X would). */
export async function postActions(stack: LocalStack, actions: EmulatorAction[]): Promise<void> {
  const posted = await request('POST', `${stack.emulatorUrl}/_admin/actions`, undefined, actions);
  if (posted.status !== 200) {
    throw new Error(
      `the emulator refused the actions: ${posted.status} ${JSON.stringify(posted.body)}`,
    );
  }
}

/** The campaign's entries so far (the first page: the demo's audience fits in it). */
export async function listEntries(
  stack: LocalStack,
  id: string,
): Promise<{ username: string | null; firstSeenAt: string }[]> {
  const answer = await request(
    'GET',
    `${stack.apiUrl}/v1/campaigns/${encodeURIComponent(id)}/entries`,
    stack.adminKey,
  );
  if (answer.status !== 200) {
    throw new Error(`listing entries answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return Array.isArray(answer.body.entries)
    ? (answer.body.entries as { username: string | null; firstSeenAt: string }[])
    : [];
}
