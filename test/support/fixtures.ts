import { createHash } from 'node:crypto';
import { credentialsEnvelopeStore } from '../../db/repositories/credential-envelopes';
import type { Db } from '../../db/client';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { type CampaignConfig, exampleCampaignConfig } from '../../domain/campaign-config';
import { storeAccountCredentials } from '../../x/credentials';
import { DEMO_SENDER_USER_ID, DEMO_SENDER_USERNAME, demoSenderCredentials } from '../../emulator';

/**
 * The README's example with a reply rule added: under X's rules, winners of a repost+follow
 * campaign cannot be told by DM or reply on self-serve access, and preflight blocks that.
 */
export function reachableExampleConfig(now: Date): CampaignConfig {
  const config = exampleCampaignConfig(now);
  return {
    ...config,
    entryRules: { all: [...config.entryRules.all, { type: 'reply', hashtags: ['#クジ当たれ'] }] },
    // Rehearsals DM real test accounts; the tests of preflight cover them.
    testAccounts: [],
  };
}

/** A fixed key for tests: credentials stored with it are the emulator's demo tokens. */
export const testCredentialsKey = Buffer.alloc(32, 7);

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function seedAccount(db: Db, overrides: { id?: string; linked?: boolean } = {}) {
  const id = overrides.id ?? uniqueId('acct');
  // Handles are unique: every test account gets its own, all of them the demo sender on X.
  await insertAccount(db, {
    id,
    handle: `${DEMO_SENDER_USERNAME}_${id}`,
    xUserId: DEMO_SENDER_USER_ID,
  });
  if (overrides.linked !== false) {
    // Real (encrypted) demo tokens: preflight asks X who the sender is. Tests that give no
    // emulator see X unreachable, which preflight reports as a warning, not a blocking finding.
    await storeAccountCredentials(
      credentialsEnvelopeStore(db),
      testCredentialsKey,
      id,
      demoSenderCredentials(),
    );
  }
  return id;
}

export async function seedCampaign(
  db: Db,
  options: {
    accountId: string;
    author?: string;
    id?: string;
    now?: Date;
    overrides?: Partial<CampaignConfig>;
  },
) {
  const config = {
    ...reachableExampleConfig(options.now ?? new Date()),
    accountId: options.accountId,
    ...options.overrides,
  };
  const campaign = await insertCampaign(db, {
    id: options.id ?? uniqueId('cmp'),
    name: config.name,
    accountId: options.accountId,
    config,
    author: options.author ?? 'alice',
  });
  if (!campaign) throw new Error('seedCampaign: id already used');
  return campaign;
}

/**
 * The approvers of the workflow tests as live API keys whose ids are their names: an approval
 * names the approver's key id, and the workflow looks it up (`isActiveApprover`).
 */
export async function seedApprovers(db: Db, ids: readonly string[] = ['bob', 'carol', 'dave']) {
  await db
    .insertInto('api_keys')
    .values(
      ids.map((id) => ({
        id,
        name: id,
        role: 'approver' as const,
        key_hash: createHash('sha256').update(`test-approver-${id}`).digest('hex'),
        key_prefix: 'kuji_test',
        revoked_at: null,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
