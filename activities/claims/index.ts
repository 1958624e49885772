/** Claims (docs/claims.md): deadlines, forfeits, promotion of alternates, and the purge. */
import type { Db } from '../../db/client';
import { createCloseClaimsActivity } from './close-claims';
import { createPurgeClaimsActivity } from './purge-claims';
import { createSettleClaimsActivity } from './settle-claims';

export function createClaimsActivities(deps: { db: Db }) {
  return {
    ...createSettleClaimsActivity(deps),
    ...createPurgeClaimsActivity(deps),
    ...createCloseClaimsActivity(deps),
  };
}

export type ClaimsActivities = ReturnType<typeof createClaimsActivities>;
