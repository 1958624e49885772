/**
 * A campaign world for workflow tests: the X emulator with a sender and N participants who
 * DMed the entry keyword (so automated DMs are allowed), a linked sender account, a stored
 * campaign, and its entry events in PostgreSQL.
 */
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import type { Db } from '../../db/client';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { insertEntryEvents } from '../../db/repositories/entries';
import { type CampaignConfigInput, campaignConfigSchema } from '../../domain/campaign-config';
import { storeAccountCredentials } from '../../x/credentials';
import {
  DEMO_SENDER_USER_ID,
  DEMO_SENDER_USERNAME,
  demoScenario,
  demoSenderCredentials,
  type Scenario,
} from '../../emulator';
import { testCredentialsKey, uniqueId } from './fixtures';

export interface Participant {
  id: string;
  username: string;
}

export function participants(count: number, prefix = 'fan'): Participant[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(1800000000000000000n + BigInt(i)),
    username: `${prefix}${i}`,
  }));
}

/** The demo sender with `people` instead of the demo audience, and limits out of the way. */
export function worldScenario(
  people: Participant[],
  options: { closedDms?: string[] } = {},
): Scenario {
  const demo = demoScenario();
  const sender = demo.users?.find((u) => u.username === DEMO_SENDER_USERNAME);
  return {
    ...demo,
    users: [
      ...(sender ? [sender] : []),
      ...people.map((p) => ({
        id: p.id,
        username: p.username,
        dmSetting: options.closedDms?.includes(p.id) ? ('closed' as const) : ('everyone' as const),
      })),
    ],
    follows: [],
    blocks: [],
    posts: demo.posts?.filter((p) => p.author === DEMO_SENDER_USERNAME),
    reposts: [],
    likes: [],
    dms: [],
    rateLimits: {
      // Polling reads DM events once a minute of skipped time, many times a minute of X's.
      'dm.events.all': { limit: 100_000, windowSeconds: 900 },
      'dm.send': {
        limit: 100_000,
        windowSeconds: 900,
        userDay: { limit: 100_000, windowSeconds: 86_400 },
        appDay: { limit: 100_000, windowSeconds: 86_400 },
      },
    },
    dmDailyLimit: 100_000,
  };
}

export async function seedLinkedAccount(
  db: Db,
  options: { id?: string; dmDailyCap?: number; timezone?: string } = {},
): Promise<string> {
  const id = options.id ?? uniqueId('acct');
  await insertAccount(db, {
    id,
    // Handles are unique: every test account gets its own, all of them the demo sender on X.
    handle: `${DEMO_SENDER_USERNAME}_${id}`,
    xUserId: DEMO_SENDER_USER_ID,
    dmDailyCap: options.dmDailyCap ?? 100,
    timezone: options.timezone ?? 'Asia/Tokyo',
  });
  await storeAccountCredentials(
    credentialsEnvelopeStore(db),
    testCredentialsKey,
    id,
    demoSenderCredentials(),
  );
  return id;
}

/** A drawn DM-keyword campaign where every participant who DMed the keyword may win. */
export function dmKeywordDrawConfig(
  accountId: string,
  now: Date,
  options: { winners: number; overrides?: Partial<CampaignConfigInput> },
): CampaignConfigInput {
  return {
    kind: 'drawn',
    name: 'DM keyword draw',
    accountId,
    post: { tweetId: '1860000000000000001' },
    entryRules: { all: [{ type: 'dm_keyword', keyword: '参加' }] },
    prizes: [{ id: 'gift', name: 'ギフト券', stock: options.winners, valueYen: 500 }],
    templates: {
      win: { dm: '{name}さん、当選です！{prize}をお送りします。詳細: {resultUrl}' },
      lose: {},
    },
    schedule: {
      startAt: new Date(now.getTime() + 60_000).toISOString(),
      endAt: new Date(now.getTime() + 10 * 60_000).toISOString(),
      timezone: 'Asia/Tokyo',
    },
    pacing: { minGapSeconds: 1, jitterSeconds: 1 },
    compliance: { premiumKind: 'open' },
    draw: { winners: options.winners, alternates: 0 },
    ...options.overrides,
  };
}

export async function seedCampaignWithEntries(
  db: Db,
  options: {
    accountId: string;
    config: CampaignConfigInput;
    people: Participant[];
    author?: string;
    /** What each participant DMed (default 参加します, matching the default keyword). */
    text?: string;
  },
) {
  const config = campaignConfigSchema.parse(options.config);
  const campaign = await insertCampaign(db, {
    id: uniqueId('cmp'),
    name: config.name,
    accountId: options.accountId,
    config,
    author: options.author ?? 'alice',
  });
  if (!campaign) throw new Error('campaign id collision');
  // In chunks: PostgreSQL takes at most 65,535 parameters per statement.
  for (let start = 0; start < options.people.length; start += 5000) {
    await insertEntryEvents(
      db,
      options.people.slice(start, start + 5000).map((p, i) => ({
        campaignId: campaign.id,
        xEventId: `dm-${campaign.id}-${start + i}`,
        source: 'dm_keyword' as const,
        xUserId: p.id,
        username: p.username,
        text: options.text ?? '参加します',
        receivedVia: 'webhook' as const,
      })),
    );
  }
  return campaign;
}
