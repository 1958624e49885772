/** The campaign lifecycle (DESIGN.md §5). `paused` is an overlay, stored separately. */
export const campaignPhases = [
  'draft',
  'preflight',
  'awaiting_approval',
  'scheduled',
  'collecting',
  'drawing',
  'delivering',
  // Winners claim their prizes before deadlines; unclaimed ones go to alternates (claims on).
  'claiming',
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

/**
 * Phases in which sends can still be asked for: resends, follow-ups, "didn't receive it" (and,
 * while claiming, the promoted alternates' win messages).
 */
export const sendingPhases: readonly CampaignPhase[] = [
  'collecting',
  'drawing',
  'delivering',
  'claiming',
];

/** Phases in which a changed configuration can still take effect. */
export const changeablePhases: readonly CampaignPhase[] = [
  'awaiting_approval',
  'scheduled',
  ...sendingPhases,
];

/**
 * Phases in which X's events for an approved campaign are stored (whether they count is decided
 * from their own date against the entry period). A campaign back in `awaiting_approval` after a
 * change takes them too, once it has an approved configuration. From `analyzing` on, none: the
 * workflow has decided the last of them.
 */
export const eventTakingPhases: readonly CampaignPhase[] = ['scheduled', ...sendingPhases];
