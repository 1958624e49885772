/** The campaign, approved configuration and sender account a runtime activity works on. */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/client';
import { findAccountById } from '../../db/repositories/accounts';
import { findCampaignRunningConfig } from '../../db/repositories/campaigns';
import { parseStoredConfig, storedConfigKey } from '../../domain/stored-config';

export function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * The configuration the campaign runs on: the version its last approval signed off, so a change
 * stored but not yet approved (or not yet known to the workflow) never reaches a participant.
 * Before any approval, the newest.
 */
export async function loadRunningCampaign(db: Db, campaignId: string) {
  const found = await findCampaignRunningConfig(db, campaignId);
  if (!found) throw nonRetryable('campaign_missing', `campaign ${campaignId} does not exist`);
  const { campaign, config } = found;
  if (config === undefined) {
    throw nonRetryable(
      'config_version_missing',
      `campaign ${campaignId} has no stored configuration version ${campaign.approvedConfigVersion}`,
    );
  }
  // Each stored version is parsed once per process: every activity of a campaign reads it.
  const version = campaign.approvedConfigVersion ?? campaign.configVersion;
  const parsed = parseStoredConfig(config, storedConfigKey(campaign.id, version));
  if (!parsed.success) {
    throw nonRetryable('config_invalid', `campaign ${campaignId} has an invalid configuration`);
  }
  const account = await findAccountById(db, campaign.accountId);
  if (!account)
    throw nonRetryable('account_missing', `account ${campaign.accountId} does not exist`);
  return { campaign, config: parsed.data, account };
}
