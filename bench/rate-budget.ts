/**
 * Rate budget use (issue #14): a collecting campaign entered by follow, repost and like, whose
 * account has more reposters, likers and followers than one 15-minute X window can read. Kuji's
 * own poll (the `watchEntries` activity with the real X access code and PostgreSQL) runs once a
 * minute of the emulator's clock, as the workflow's retry policy runs it, for one window; a
 * recording proxy between Kuji and the emulator notes what each page held.
 *
 * The emulator's clock is frozen and moved by the bench, and Kuji's X layer is given that clock
 * (its waits for a reset move it forward instead of sleeping), so a window passes in seconds.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadRunningCampaign } from '../activities/campaign/campaign-loader';
import { createWatchEntriesActivity } from '../activities/entries/watch-entries';
import { createXAccess } from '../activities/x-access';
import { updateCampaignPhase } from '../db/repositories/campaigns';
import {
  DEMO_CAMPAIGN_POST_ID,
  DEMO_SENDER_USERNAME,
  startXEmulator,
  type XEmulator,
} from '../emulator';
import { defaultRateLimits } from '../emulator/endpoints';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../test/support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { testCredentialsKey } from '../test/support/fixtures';
import type { BenchContext, Benchmark } from './benchmark';
import {
  avoidable429s,
  firstWindowUse,
  rateBudgetFigures,
  type ListBudget,
} from './rate-budget-figures';
import type { Figure } from './report';
import { startXReadRecorder } from './x-read-recorder';
import { silentLogger } from '../test/support/silent-logger';

const MINUTE = 60_000;
const WINDOW_MS = 15 * MINUTE;
/** The watch's retry policy polls once a minute (workflows/campaign: backoff coefficient 1). */
const POLLS_PER_WINDOW = 15;

/** X's per-user limits (emulator/endpoints.ts = X-API.md) and pages (X's OpenAPI max_results). */
const LISTS: (ListBudget & { size: number })[] = [
  {
    list: 'reposters',
    listJa: 'リポストしたユーザー',
    path: /^\/2\/tweets\/[^/]+\/retweeted_by$/,
    requestsPerWindow: defaultRateLimits['posts.retweeted_by']?.limit ?? 0,
    pageSize: 100,
    size: 7_600,
  },
  {
    list: 'likers',
    listJa: 'いいねしたユーザー',
    path: /^\/2\/tweets\/[^/]+\/liking_users$/,
    requestsPerWindow: defaultRateLimits['posts.liking_users']?.limit ?? 0,
    pageSize: 100,
    size: 7_600,
  },
  {
    list: 'followers',
    listJa: 'フォロワー',
    path: /^\/2\/users\/[^/]+\/followers$/,
    requestsPerWindow: defaultRateLimits['users.followers']?.limit ?? 0,
    pageSize: 1000,
    // A window could read 300,000; the emulator's follow graph loads in quadratic time, so the
    // list is smaller and the whole list is what the window allows.
    size: 5_000,
  },
];

function audienceScenario() {
  const people = participants(Math.max(...LISTS.map((l) => l.size)), 'budget');
  const scenario = worldScenario(people);
  const size = (list: string) => LISTS.find((l) => l.list === list)?.size ?? 0;
  return {
    ...scenario,
    // Only the DM limits of the world are lifted; the lists keep X's.
    reposts: people
      .slice(0, size('reposters'))
      .map((p) => ({ user: p.username, post: DEMO_CAMPAIGN_POST_ID })),
    likes: people
      .slice(0, size('likers'))
      .map((p) => ({ user: p.username, post: DEMO_CAMPAIGN_POST_ID })),
    follows: people
      .slice(0, size('followers'))
      .map((p): [string, string] => [p.username, DEMO_SENDER_USERNAME]),
  };
}

async function measure(
  testDb: TestDatabase,
  emulator: XEmulator,
  context: BenchContext,
): Promise<Figure[]> {
  context.progress(
    `loading X: ${LISTS.map((l) => `${l.size.toLocaleString('en-US')} ${l.list}`).join(', ')}`,
  );
  await emulator.loadScenario(audienceScenario());
  const startMs = emulator.clock.freeze();
  const recorder = await startXReadRecorder(emulator);
  try {
    const accountId = await seedLinkedAccount(testDb.db);
    const base = dmKeywordDrawConfig(accountId, new Date(startMs), { winners: 1 });
    const campaign = await seedCampaignWithEntries(testDb.db, {
      accountId,
      people: [],
      config: {
        ...base,
        name: 'rate budget',
        entryRules: { all: [{ type: 'follow' }, { type: 'repost' }, { type: 'like' }] },
      },
    });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    /** X's time Kuji spent waiting inside polls for a window to reset. */
    let waitedMs = 0;
    const watch = createWatchEntriesActivity({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: recorder.url,
        clock: {
          now: () => emulator.clock.now(),
          sleep: (ms) => {
            waitedMs += ms;
            emulator.clock.advance(ms);
            return Promise.resolve();
          },
        },
      }),
      loadConfig: (campaignId) => loadRunningCampaign(testDb.db, campaignId),
    });

    for (let poll = 0; poll < POLLS_PER_WINDOW; poll += 1) {
      const dueMs = startMs + poll * MINUTE;
      // A wait for a reset inside a poll may have moved the clock past this poll's minute.
      if (emulator.clock.now() < dueMs) emulator.clock.set(dueMs);
      const environment = new MockActivityEnvironment(
        { scheduledTimestampMs: dueMs, currentAttemptScheduledTimestampMs: dueMs },
        { logger: silentLogger },
      );
      await environment.run(() =>
        watch.watchEntries({
          campaignId: campaign.id,
          watchArmed: false,
          armedCheckIntervalMs: WINDOW_MS,
          once: true,
        }),
      );
      if (poll % 5 === 4) {
        context.progress(
          `poll ${poll + 1}/${POLLS_PER_WINDOW}: ${recorder.reads.length} reads, X clock +${Math.round((emulator.clock.now() - startMs) / 1000)} s`,
        );
      }
    }

    const uses = LISTS.map((list) => ({
      ...firstWindowUse(recorder.reads, list, WINDOW_MS, list.size),
      listJa: list.listJa,
    }));
    const log = emulator.requests();
    const refused = log.filter((r) => r.status === 429).length;
    for (const use of uses) {
      context.progress(
        `${use.list}: ${use.entries} distinct in the window of ${use.allowed} allowed, ${use.requests} requests, ${use.itemsRead} items with repeats`,
      );
    }
    return rateBudgetFigures(uses, avoidable429s(log, WINDOW_MS), {
      refused,
      setting: `${POLLS_PER_WINDOW} polls of the watchEntries activity one emulator minute apart; inside them Kuji waited ${Math.round(waitedMs / 1000)} s of X's time for resets`,
    });
  } finally {
    emulator.clock.unfreeze();
    await recorder.close();
  }
}

export const rateBudgetBench: Benchmark = {
  name: 'rate-budget',
  summary: 'share of one X rate window Kuji reads of lists larger than the window (emulator clock)',
  run: async (context) => {
    const [testDb, emulator] = await Promise.all([
      createTestDatabase(),
      startXEmulator({ port: 0 }),
    ]);
    try {
      return await measure(testDb, emulator, context);
    } finally {
      await emulator.close();
      await testDb.close();
    }
  },
};
