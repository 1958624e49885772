import type { Db } from '../../db/client';
import { insertAccount } from '../../db/repositories/accounts';
import { insertCampaign } from '../../db/repositories/campaigns';
import { type CampaignConfig, exampleCampaignConfig } from '../../domain/campaign-config';

/**
 * The README's example with a reply rule added: under X's rules, winners of a repost+follow
 * campaign cannot be told by DM or reply on self-serve access, and preflight blocks that.
 */
export function reachableExampleConfig(now: Date): CampaignConfig {
  const config = exampleCampaignConfig(now);
  return {
    ...config,
    entryRules: { all: [...config.entryRules.all, { type: 'reply', hashtags: ['#クジ当たれ'] }] },
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
  await insertAccount(db, { id, handle: 'kuji_demo', xUserId: '2000000000000000001' });
  if (overrides.linked !== false) {
    // Preflight only needs to know that credentials exist; their content is the X layer's concern.
    await db
      .updateTable('accounts')
      .set({ credentials_ciphertext: 'test-envelope' })
      .where('id', '=', id)
      .execute();
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
