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

/** Phases in which sends can still be asked for: resends, follow-ups, "didn't receive it". */
export const sendingPhases: readonly CampaignPhase[] = ['collecting', 'drawing', 'delivering'];

/** Phases in which a changed configuration can still take effect. */
export const changeablePhases: readonly CampaignPhase[] = [
  'awaiting_approval',
  'scheduled',
  ...sendingPhases,
];
