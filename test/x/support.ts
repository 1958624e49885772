/**
 * Shared set-up for the X layer tests: an emulator with a small world, a sender account row with
 * encrypted credentials, activities wired to the emulator's clock, and a way to run an activity
 * the way Temporal would (MockActivityEnvironment), capturing heartbeats and log lines.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import type { Db } from '../../db/client';
import { createXAccess, type XAccessDeps, type XLogger } from '../../activities/x-access';
import {
  generateCredentialsKey,
  storeAccountCredentials,
  type XCredentials,
} from '../../x/credentials';
import { startXEmulator, type Scenario, type XEmulator } from '../../emulator';
import { silentLogger } from '../support/silent-logger';

export const SENDER_ID = '1790000000000000001';
export const ALICE_ID = '1790000000000000101';
export const BOB_ID = '1790000000000000102';
export const CAROL_ID = '1790000000000000103';
export const DAVE_ID = '1790000000000000104';
export const ERIN_ID = '1790000000000000105';
export const CAMPAIGN_POST_ID = '1860000000000000001';

export const app = {
  consumerKey: 'test-consumer-key',
  consumerSecret: 'test-consumer-secret',
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret',
};

export const senderOAuth1 = {
  accessToken: `${SENDER_ID}-senderAccessToken0001`,
  accessSecret: 'sender-access-secret-0001',
};

/**
 * A small world: the sender, three participants who follow it (bob only takes DMs from accounts he
 * follows), dave with DMs closed, erin who does not follow, and a campaign post everyone reposted.
 */
export function baseScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    seed: 7,
    clock: { start: '2026-11-22T03:00:00.000Z', frozen: true },
    app: { ...app, tier: 'enterprise' },
    users: [
      { id: SENDER_ID, username: 'kuji_sender', verified: true, dmSetting: 'everyone' },
      { id: ALICE_ID, username: 'alice', dmSetting: 'everyone' },
      { id: BOB_ID, username: 'bob', dmSetting: 'following' },
      { id: CAROL_ID, username: 'carol', dmSetting: 'everyone' },
      { id: DAVE_ID, username: 'dave', dmSetting: 'closed' },
      { id: ERIN_ID, username: 'erin', dmSetting: 'everyone' },
    ],
    tokens: [{ kind: 'oauth1', user: 'kuji_sender', ...senderOAuth1 }],
    follows: [
      ['alice', 'kuji_sender'],
      ['bob', 'kuji_sender'],
      ['carol', 'kuji_sender'],
    ],
    posts: [
      {
        key: 'campaign',
        id: CAMPAIGN_POST_ID,
        author: 'kuji_sender',
        text: 'Campaign! Repost to enter #kuji',
      },
    ],
    reposts: [
      { user: 'alice', post: 'campaign' },
      { user: 'bob', post: 'campaign' },
      { user: 'carol', post: 'campaign' },
      { user: 'dave', post: 'campaign' },
    ],
    ...overrides,
  };
}

export function senderCredentials(): XCredentials {
  return {
    kind: 'oauth1',
    appKey: app.consumerKey,
    appSecret: app.consumerSecret,
    ...senderOAuth1,
    userId: SENDER_ID,
  };
}

export interface CapturedLog {
  level: 'info' | 'warn' | 'error';
  message: string;
  meta?: Record<string, unknown>;
}

export function captureLogger(): { logger: XLogger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  return {
    lines,
    logger: {
      info: (message, meta) => lines.push({ level: 'info', message, meta }),
      warn: (message, meta) => lines.push({ level: 'warn', message, meta }),
      error: (message, meta) => lines.push({ level: 'error', message, meta }),
    },
  };
}

/** The emulator's clock drives the activities: sleeping moves it forward instead of waiting. */
export function emulatorClock(emulator: XEmulator) {
  return {
    now: () => emulator.clock.now(),
    sleep: (ms: number) => {
      emulator.clock.advance(ms);
      return Promise.resolve();
    },
  };
}

let accountCounter = 0;

export async function createSenderAccount(
  db: Db,
  key: Buffer,
  credentials: XCredentials = senderCredentials(),
): Promise<string> {
  accountCounter += 1;
  const id = `acct-${accountCounter}-${Math.floor(Math.random() * 1e9)}`;
  // Handles are unique: the first account is @kuji_sender, later ones (the same sender on X)
  // get their own handle.
  const taken = await db
    .selectFrom('accounts')
    .select('id')
    .where('handle', '=', 'kuji_sender')
    .executeTakeFirst();
  const handle = taken ? `kuji_sender_${id}` : 'kuji_sender';
  await db.insertInto('accounts').values({ id, handle }).execute();
  await storeAccountCredentials(credentialsEnvelopeStore(db), key, id, credentials);
  return id;
}

export interface Harness {
  db: Db;
  emulator: XEmulator;
  key: Buffer;
  accountId: string;
  activities: ReturnType<typeof createXAccess>;
  logs: CapturedLog[];
}

export async function createHarness(
  db: Db,
  scenario: Scenario = baseScenario(),
  deps: Partial<XAccessDeps> = {},
): Promise<Harness> {
  const emulator = await startXEmulator({ scenario, holdTimeoutMs: 5_000 });
  const key = generateCredentialsKey();
  const accountId = await createSenderAccount(db, key);
  const { logger, lines } = captureLogger();
  const activities = createXAccess({
    db,
    credentialsKey: key,
    xApiBaseUrl: emulator.url,
    logger,
    clock: emulatorClock(emulator),
    // Long enough for a loaded machine, short enough for the timeout faults.
    requestTimeoutMs: 1_500,
    ...deps,
  });
  return { db, emulator, key, accountId, activities, logs: lines };
}

export interface ActivityRun<T> {
  result?: T;
  error?: unknown;
  heartbeats: unknown[];
}

/** Runs an activity function as attempt `attempt`, with `heartbeatDetails` from a previous attempt. */
export async function runActivity<T>(
  fn: () => Promise<T>,
  info: { attempt?: number; heartbeatDetails?: unknown; scheduledTimestampMs?: number } = {},
): Promise<ActivityRun<T>> {
  const environment = new MockActivityEnvironment(
    {
      attempt: info.attempt ?? 1,
      heartbeatDetails: info.heartbeatDetails,
      ...(info.scheduledTimestampMs !== undefined
        ? { scheduledTimestampMs: info.scheduledTimestampMs }
        : {}),
    },
    { logger: silentLogger },
  );
  const heartbeats: unknown[] = [];
  environment.on('heartbeat', (details: unknown) => heartbeats.push(structuredClone(details)));
  try {
    const result = (await environment.run(fn)) as T;
    return { result, heartbeats };
  } catch (error) {
    return { error, heartbeats };
  }
}
