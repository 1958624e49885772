/**
 * watchEntries reading X's user lists (reposters, likers, followers: newest first, 100 a page
 * for reposters and likers) when they hold more people than one poll reads: later polls read on
 * from where earlier ones stopped (and still take new people at the top first), and a list whose
 * rate window is spent is skipped until its reset while the others are read, never waited out.
 */
import assert from 'node:assert/strict';
import { afterEach, before, after, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadRunningCampaign } from '../../activities/campaign/campaign-loader';
import { createWatchEntriesActivity } from '../../activities/entries/watch-entries';
import { MAX_LIST_PAGES, MAX_POLLS_WITHOUT_TOP } from '../../activities/entries/poll-user-lists';
import { createXAccess } from '../../activities/x-access';
import { findCampaignWatch } from '../../db/repositories/campaign-watch';
import { updateCampaignPhase } from '../../db/repositories/campaigns';
import type { CampaignConfigInput } from '../../domain/campaign-config';
import { DEMO_CAMPAIGN_POST_ID, startXEmulator, type XEmulator } from '../../emulator';
import {
  dmKeywordDrawConfig,
  participants,
  seedCampaignWithEntries,
  seedLinkedAccount,
  worldScenario,
} from '../support/campaign-world';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';
import { silentLogger } from '../support/silent-logger';

const MINUTE = 60_000;
const PAGE = 100;
describe('watchEntries activity, X lists larger than one poll', () => {
  let testDb: TestDatabase;
  let emulator: XEmulator;
  before(async () => {
    testDb = await createTestDatabase();
  });
  // A fresh emulator each: its rate windows start unspent.
  beforeEach(async () => {
    emulator = await startXEmulator({ port: 0 });
  });
  afterEach(async () => {
    await emulator.close();
    await testDb.truncate();
  });
  after(async () => {
    await testDb?.close();
  });

  /** `reposters` and `likers` people engaged with the campaign's post, the newest last. */
  async function collectingCampaign(
    prefix: string,
    counts: { reposters: number; likers: number },
    rules: CampaignConfigInput['entryRules']['all'],
  ) {
    const people = participants(Math.max(counts.reposters, counts.likers) + 200, prefix);
    const scenario = worldScenario(people);
    scenario.reposts = people
      .slice(0, counts.reposters)
      .map((p) => ({ user: p.username, post: DEMO_CAMPAIGN_POST_ID }));
    scenario.likes = people
      .slice(0, counts.likers)
      .map((p) => ({ user: p.username, post: DEMO_CAMPAIGN_POST_ID }));
    await emulator.loadScenario(scenario);
    const accountId = await seedLinkedAccount(testDb.db);
    const config = dmKeywordDrawConfig(accountId, new Date(), {
      winners: 1,
      overrides: { entryRules: { all: rules } },
    });
    const campaign = await seedCampaignWithEntries(testDb.db, { accountId, people: [], config });
    await updateCampaignPhase(testDb.db, campaign.id, 'collecting');
    return { campaignId: campaign.id, people };
  }

  /** Kuji's X access; `waitedMs` counts what it spent waiting inside a poll for a reset. */
  function watchWith() {
    const waits = { waitedMs: 0 };
    const watch = createWatchEntriesActivity({
      db: testDb.db,
      x: createXAccess({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        xApiBaseUrl: emulator.url,
        requestTimeoutMs: 2_000,
        clock: {
          now: () => Date.now(),
          // The old poll waited here for a spent window's reset; counted, then waited briefly.
          sleep: async (ms) => {
            waits.waitedMs += ms;
            await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50)));
          },
        },
      }),
      loadConfig: (campaignId) => loadRunningCampaign(testDb.db, campaignId),
    });
    return { watch, waits };
  }

  async function poll(
    watch: ReturnType<typeof watchWith>['watch'],
    campaignId: string,
    atMs: number,
  ) {
    const environment = new MockActivityEnvironment(
      { scheduledTimestampMs: atMs, currentAttemptScheduledTimestampMs: atMs },
      { logger: silentLogger },
    );
    return environment.run(() =>
      watch.watchEntries({
        campaignId,
        watchArmed: false,
        armedCheckIntervalMs: 10 * MINUTE,
        once: true,
      }),
    );
  }

  const storedUsers = async (campaignId: string, source: 'repost' | 'like') =>
    new Set(
      (
        await testDb.db
          .selectFrom('entry_events')
          .select('x_user_id')
          .where('campaign_id', '=', campaignId)
          .where('source', '=', source)
          .execute()
      ).map((row) => row.x_user_id),
    );

  const reads = (endpoint: 'posts.retweeted_by' | 'posts.liking_users', since = 0) =>
    emulator.requests({ since, endpoint });

  it('reads a list larger than one poll over successive polls, and people who came since', async () => {
    // Six polls' pages: one window (75 reads) reads it all, with the top read again meanwhile.
    const size = (MAX_POLLS_WITHOUT_TOP + 2) * MAX_LIST_PAGES * PAGE;
    const { campaignId, people } = await collectingCampaign(
      'longlist',
      { reposters: size, likers: 0 },
      [{ type: 'repost' }],
    );
    const { watch } = watchWith();
    const start = Date.now();
    const count = async () => (await storedUsers(campaignId, 'repost')).size;

    await poll(watch, campaignId, start);
    assert.equal(await count(), MAX_LIST_PAGES * PAGE);
    const cursor = (await findCampaignWatch(testDb.db, campaignId))?.cursors.lists?.reposters;
    assert.equal(cursor?.gaps?.length, 1, 'the part left unread is kept in PostgreSQL');

    // 150 people repost after the first poll: X lists them at the top, above the part read.
    const late = people.slice(size, size + 150);
    for (const person of late) emulator.state.repost(person.username, DEMO_CAMPAIGN_POST_ID);
    const isLate = (stored: Set<string>) => late.filter((person) => stored.has(person.id)).length;

    // The next polls give all their pages to the part below, for a few polls at most.
    for (let n = 1; n <= MAX_POLLS_WITHOUT_TOP; n += 1) {
      const before = reads('posts.retweeted_by').length;
      await poll(watch, campaignId, start + n * MINUTE);
      assert.equal(reads('posts.retweeted_by').length - before, MAX_LIST_PAGES);
      assert.equal(await count(), (n + 1) * MAX_LIST_PAGES * PAGE, `poll ${n + 1} reads on`);
    }
    assert.equal(isLate(await storedUsers(campaignId, 'repost')), 0);

    // Then the top again: the newcomers (two pages, the second ending in stored reposters).
    await poll(watch, campaignId, start + (MAX_POLLS_WITHOUT_TOP + 1) * MINUTE);
    const afterTop = await storedUsers(campaignId, 'repost');
    assert.equal(isLate(afterTop), late.length, 'people who came since are read');
    assert.equal(afterTop.size, size - 2 * PAGE + late.length);

    // The rest, and the top once more with the pages left: nothing is left unread.
    const before = reads('posts.retweeted_by').length;
    await poll(watch, campaignId, start + (MAX_POLLS_WITHOUT_TOP + 2) * MINUTE);
    assert.equal(reads('posts.retweeted_by').length - before, 3);
    const all = await storedUsers(campaignId, 'repost');
    assert.equal(all.size, size + late.length, 'every reposter is an entry');
    for (const person of people.slice(0, size + late.length)) assert.ok(all.has(person.id));
    assert.equal((await findCampaignWatch(testDb.db, campaignId))?.cursors.lists, undefined);

    // Read whole: a poll reads one page at the top and stops at the stored people.
    const settled = reads('posts.retweeted_by').length;
    await poll(watch, campaignId, start + (MAX_POLLS_WITHOUT_TOP + 3) * MINUTE);
    assert.equal(reads('posts.retweeted_by').length - settled, 1);
    assert.equal(emulator.requests().filter((r) => r.status === 429).length, 0);
  });

  it('skips a list whose window is spent until its reset, reading the others meanwhile', async () => {
    const { campaignId } = await collectingCampaign('spent', { reposters: 300, likers: 300 }, [
      { type: 'repost' },
      { type: 'like' },
    ]);
    // Two reads of reposters per short window; likers keep X's 75 per 15 minutes.
    emulator.configureRateLimits({ 'posts.retweeted_by': { limit: 2, windowSeconds: 3 } });
    const { watch, waits } = watchWith();
    const start = Date.now();
    const repostersCursor = async () =>
      (await findCampaignWatch(testDb.db, campaignId))?.cursors.lists?.reposters;

    await poll(watch, campaignId, start);
    assert.equal(waits.waitedMs, 0, 'the poll never waits for a reset');
    assert.equal((await storedUsers(campaignId, 'like')).size, 300, 'likers are read in full');
    assert.equal(
      (await storedUsers(campaignId, 'repost')).size,
      2 * PAGE,
      'two pages of reposters',
    );
    const cursor = await repostersCursor();
    assert.ok(cursor?.resetAt, 'the reset is kept');
    assert.equal(cursor.gaps?.length, 1);

    // Before the reset, reposters are not asked for at all (no 429 from X); likers are read.
    const seq = emulator.requests().at(-1)?.seq ?? 0;
    await poll(watch, campaignId, start + MINUTE);
    assert.equal(reads('posts.retweeted_by', seq).length, 0);
    assert.equal(reads('posts.liking_users', seq).length, 1);
    assert.equal(emulator.requests({ since: seq }).filter((r) => r.status === 429).length, 0);
    assert.deepEqual(await repostersCursor(), cursor);

    // After the reset: the top page (nothing new), then on from where the first poll stopped.
    const resetAt = Date.parse(cursor.resetAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt + 1_100 - Date.now())));
    await poll(watch, campaignId, start + 2 * MINUTE);
    assert.equal(waits.waitedMs, 0);
    assert.equal((await storedUsers(campaignId, 'repost')).size, 300, 'reposters read in full');
    assert.equal((await repostersCursor())?.gaps, undefined, 'nothing is left unread');
  });
});
