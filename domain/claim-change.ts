/**
 * Once a campaign has opened claims, its `claim` section is fixed (docs/claims.md): removing it
 * would leave claims without deadlines, promotions or purge, and changing the fields or the
 * retention would change what was promised to people who may already have claimed. The claim
 * deadline (`schedule.claimDeadlineHours`, outside the section) is part of that promise too.
 */
import type { CampaignConfig } from './campaign-config';

export interface ClaimChangeRefusal {
  code: 'claim_section_fixed';
  message: { ja: string; en: string };
}

/** Order-independent JSON of a value, so equal sections compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The refusal of a configuration change when claims have opened and the `claim` section is
 * removed or altered; null when the change may go ahead.
 */
export function claimChangeRefusal(
  previous: Pick<CampaignConfig, 'claim'> & {
    schedule?: Pick<CampaignConfig['schedule'], 'claimDeadlineHours'>;
  },
  next: Pick<CampaignConfig, 'claim' | 'schedule'>,
  claimsOpened: boolean,
): ClaimChangeRefusal | null {
  if (!claimsOpened) return null;
  const sameDeadline = previous.schedule?.claimDeadlineHours === next.schedule.claimDeadlineHours;
  if (sameDeadline && canonical(previous.claim) === canonical(next.claim)) return null;
  return {
    code: 'claim_section_fixed',
    message: {
      ja: '受け取り手続きがすでに始まっているため、claim の設定（項目・保存期間）と受け取り期限は変更・削除できません。',
      en: 'Claims have opened, so the claim section (fields, retention) and the claim deadline can no longer be changed or removed.',
    },
  };
}
