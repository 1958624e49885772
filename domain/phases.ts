/** The campaign lifecycle (DESIGN.md §5). `paused` is an overlay, stored separately. */
export const campaignPhases = [
  'draft',
  'preflight',
  'awaiting_approval',
  'scheduled',
  'collecting',
  'drawing',
  'delivering',
  'analyzing',
  'completed',
  'cancelled',
  'failed',
] as const;

export type CampaignPhase = (typeof campaignPhases)[number];

export const terminalPhases: ReadonlySet<CampaignPhase> = new Set([
  'completed',
  'cancelled',
  'failed',
]);
