/** The end of a campaign's claims: nothing can be claimed once the campaign has ended. */
import type { Db } from '../../db/client';
import { insertAuditEntry } from '../../db/repositories/audit-log';
import { closeOpenClaims, countClaims } from '../../db/repositories/claims';

export function createCloseClaimsActivity({ db }: { db: Db }) {
  return {
    /**
     * Forfeits every claim still open when the campaign ends (cancelled, or completed with a
     * claim left open), with a `claims.close` audit entry saying why, and says whether the
     * campaign has claims at all: then its answers must be purged, whatever its configuration
     * says now.
     */
    async closeCampaignClaims(input: {
      campaignId: string;
      now: string;
      outcome: 'completed' | 'cancelled';
    }): Promise<{ closed: number; claims: number }> {
      const closed = await closeOpenClaims(db, {
        campaignId: input.campaignId,
        now: new Date(input.now),
      });
      if (closed > 0) {
        await insertAuditEntry(db, {
          actor: 'kuji',
          action: 'claims.close',
          campaignId: input.campaignId,
          outcome: 'ok',
          details: { closed, reason: `campaign_${input.outcome}` },
        });
      }
      const { total } = await countClaims(db, input.campaignId);
      return { closed, claims: total };
    },
  };
}
