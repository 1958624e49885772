/**
 * The claim form's answers at rest: sealed with the deployment's encryption key in the
 * credentials' AES-256-GCM envelope (x/credentials.ts, with its key rotation) before they reach
 * the claims table, and opened here for the operators who send the prizes. db/ only stores the
 * sealed text (docs/architecture.md, "Boundaries": db/ does not import x/).
 */
import { openSealedSecret, sealSecret } from '../x/credentials';

export type ClaimAnswers = Record<string, string>;

export class ClaimDataError extends Error {
  override name = 'ClaimDataError';
}

/** Binds sealed answers to their claim: copied to another campaign or person, they do not open. */
function sealContext(campaignId: string, xUserId: string): string {
  return `kuji:claims:${campaignId}:${xUserId}`;
}

/** The answers sealed for one claim; null when the form asked for nothing. */
export function sealClaimAnswers(
  key: Buffer,
  claim: { campaignId: string; xUserId: string },
  answers: ClaimAnswers | null,
): string | null {
  if (answers === null) return null;
  return sealSecret(key, sealContext(claim.campaignId, claim.xUserId), JSON.stringify(answers));
}

/**
 * Opens a claim's sealed answers (null when none were asked for or they were purged). Throws
 * ClaimDataError when they do not open under the key: the key changed without its predecessor in
 * KUJI_ENCRYPTION_KEYS_OLD, or the sealed text belongs to another claim.
 */
export function openClaimAnswers(
  key: Buffer,
  claim: { campaignId: string; xUserId: string; sealedAnswers: string | null },
): ClaimAnswers | null {
  if (claim.sealedAnswers === null) return null;
  const opened = openSealedSecret(
    key,
    sealContext(claim.campaignId, claim.xUserId),
    claim.sealedAnswers,
  );
  if (opened === undefined) {
    throw new ClaimDataError(
      `The claim answers of ${claim.xUserId} in campaign ${claim.campaignId} do not open with ` +
        'KUJI_ENCRYPTION_KEY or KUJI_ENCRYPTION_KEYS_OLD.',
    );
  }
  return JSON.parse(opened) as ClaimAnswers;
}
