/**
 * The worker registers what the workflows schedule and nothing else: every activity the legacy
 * campaign workflow schedules keeps its name (its in-flight runs and histories need them), and
 * the X calls the activities make (x-access.ts) are never activities of their own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActivities } from '../../activities';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testCredentialsKey } from '../support/fixtures';

/** What workflows/legacy/campaign-workflow.ts schedules. */
const legacyActivities = [
  'recordPhase',
  'runPreflight',
  'checkAutomationArmed',
  'rearmAutomation',
  'openIntervention',
  'resolveInterventionRecord',
  'requeueDeliveries',
  'isActiveApprover',
  'recordAudit',
  'prepareCampaign',
  'pollEntries',
  'processEntries',
  'drawCampaign',
  'sendDelivery',
  'listDeliveryQueue',
  'computeReport',
];

describe('createActivities', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb?.close();
  });

  it('registers every activity the legacy workflow schedules and no X call', () => {
    const registered = Object.keys(
      createActivities({
        db: testDb.db,
        credentialsKey: testCredentialsKey,
        publicBaseUrl: 'http://kuji.test',
      }),
    );

    for (const name of legacyActivities) assert.ok(registered.includes(name), name);
    assert.deepEqual(
      registered.filter((name) => /^x[A-Z]/.test(name)),
      [],
    );
  });
});
