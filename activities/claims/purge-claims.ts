/** The end of claim data: a campaign's claim answers forgotten after its retention period. */
import type { Db } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { purgeClaimData } from '../../db/repositories/claims';

export function createPurgeClaimsActivity({ db }: { db: Db }) {
  return {
    /** Purges the answers (the claims stay, for the counts) and records it in the audit log. */
    async purgeCampaignClaimData(input: {
      campaignId: string;
      now: string;
    }): Promise<{ purged: number }> {
      const result = await purgeClaimData(db, {
        campaignId: input.campaignId,
        now: new Date(input.now),
      });
      await insertAuditEntry(db, {
        actor: 'kuji',
        action: 'claims.purge',
        campaignId: input.campaignId,
        outcome: 'ok',
        details: { purged: result.purged, reason: 'retention_period_ended' },
      });
      return result;
    },
  };
}
