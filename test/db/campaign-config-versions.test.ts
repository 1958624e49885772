import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileMigrationProvider, Migrator, sql } from 'kysely';
import { migrateToLatest, migrationsFolder } from '../../db/migrate';
import { insertAccount } from '../../db/repositories/accounts';
import {
  findCampaignById,
  findCampaignConfigVersion,
  insertCampaign,
  pinApprovedConfigVersion,
  updateCampaignConfig,
} from '../../db/repositories/campaigns';
import { findResultPageCampaign } from '../../db/repositories/results';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { uniqueId } from '../support/fixtures';

describe('campaign configuration versions', () => {
  let testDb: TestDatabase;
  let accountId: string;
  before(async () => {
    testDb = await createTestDatabase();
    accountId = uniqueId('acct');
    await insertAccount(testDb.db, { id: accountId, handle: 'versions' });
  });
  after(async () => {
    await testDb.close();
  });

  it('keeps every stored configuration by version, and the approved pin apart from the newest', async () => {
    const id = uniqueId('cmp');
    const created = await insertCampaign(testDb.db, {
      id,
      name: 'first',
      accountId,
      config: { text: 'one' },
      author: 'alice',
    });
    assert.deepEqual([created?.configVersion, created?.approvedConfigVersion], [1, null]);
    assert.deepEqual(await findCampaignConfigVersion(testDb.db, id, 1), {
      version: 1,
      name: 'first',
      config: { text: 'one' },
    });

    await pinApprovedConfigVersion(testDb.db, id, 1);
    assert.equal(await updateCampaignConfig(testDb.db, id, { text: 'two' }, 'second'), 2);
    assert.equal(await updateCampaignConfig(testDb.db, id, { text: 'three' }, 'third'), 3);

    const stored = await findCampaignById(testDb.db, id);
    assert.deepEqual(
      [stored?.config, stored?.configVersion, stored?.approvedConfigVersion],
      [{ text: 'three' }, 3, 1],
      'a change moves the newest version, never the approved pin',
    );
    assert.equal(
      (await findResultPageCampaign(testDb.db, id))?.name,
      'first',
      "participants' result page names the approved version",
    );
    assert.deepEqual((await findCampaignConfigVersion(testDb.db, id, 2))?.config, { text: 'two' });
    assert.equal(await findCampaignConfigVersion(testDb.db, id, 4), undefined);

    // A conditional write (the API's restore after a refused change) loses to a newer change.
    const stale = await updateCampaignConfig(testDb.db, id, { text: 'old' }, 'old', {
      ifVersion: 2,
    });
    assert.equal(stale, null);
    assert.equal(await findCampaignConfigVersion(testDb.db, id, 4), undefined);
    assert.deepEqual((await findCampaignById(testDb.db, id))?.config, { text: 'three' });
    const restored = await updateCampaignConfig(testDb.db, id, { text: 'two' }, 'second', {
      ifVersion: 3,
    });
    assert.equal(restored, 4);
  });

  it('stores no version for a campaign that does not exist, and none twice for a repeated insert', async () => {
    assert.equal(await updateCampaignConfig(testDb.db, uniqueId('cmp'), { x: 1 }, 'none'), null);
    const id = uniqueId('cmp');
    const campaign = { id, name: 'once', accountId, config: { text: 'a' }, author: 'alice' };
    await insertCampaign(testDb.db, campaign);
    assert.equal(
      await insertCampaign(testDb.db, { ...campaign, config: { text: 'b' } }),
      undefined,
    );
    const versions = await testDb.db
      .selectFrom('campaign_config_versions')
      .select(['version', 'config'])
      .where('campaign_id', '=', id)
      .execute();
    assert.deepEqual(versions, [{ version: 1, config: { text: 'a' } }]);
  });

  it('keeps the configuration of campaigns that existed before versions were recorded, pinning the running ones', async () => {
    const migrator = new Migrator({
      db: testDb.db,
      provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsFolder }),
    });
    const down = await migrator.migrateTo('2026_11_22_0700_create_interventions');
    assert.ok(
      down.results?.some((r) => r.migrationName === '2026_11_22_0800_pin_approved_config'),
      JSON.stringify(down),
    );
    const draftId = uniqueId('cmp');
    const runningId = uniqueId('cmp');
    for (const [id, phase] of [
      [draftId, 'draft'],
      [runningId, 'delivering'],
    ]) {
      await sql`insert into campaigns (id, name, account_id, config, author, config_version, phase)
                values (${id}, 'older', ${accountId}, ${JSON.stringify({ text: 'kept' })}, 'alice', 3, ${phase})`.execute(
        testDb.db,
      );
    }
    assert.ok((await migrateToLatest(testDb.db)).includes('2026_11_22_0800_pin_approved_config'));
    assert.deepEqual(await findCampaignConfigVersion(testDb.db, draftId, 3), {
      version: 3,
      name: 'older',
      config: { text: 'kept' },
    });
    assert.equal((await findCampaignById(testDb.db, draftId))?.approvedConfigVersion, null);
    assert.equal(
      (await findCampaignById(testDb.db, runningId))?.approvedConfigVersion,
      3,
      'a campaign past its approval runs on what it had: that is pinned',
    );
  });
});
