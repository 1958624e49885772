/**
 * Does a campaign's report add up? Every stored event decided, every participant judged (an
 * ineligible one with a reason), and every participant in exactly one outcome:
 * winners + losers + ineligible + held = participants.
 */

export interface FunnelCounts {
  events: number;
  processedEvents: number;
  unprocessedEvents: number;
  participants: number;
  won: number;
  lost: number;
  alternates: number;
  pending: number;
  ineligibleOutcome: number;
  unjudged: number;
  ineligibleWithoutReason: number;
}

export type ReconciliationProblemCode =
  | 'events_unprocessed'
  | 'participants_unjudged'
  | 'ineligible_without_reason'
  | 'outcomes_do_not_add_up';

export interface ReconciliationProblem {
  code: ReconciliationProblemCode;
  count: number;
  ja: string;
  en: string;
}

export interface Reconciliation {
  events: number;
  processedEvents: number;
  unprocessedEvents: number;
  participants: number;
  winners: number;
  losers: number;
  ineligible: number;
  /** Eligible and not (yet) decided: awaiting the draw, or alternates awaiting promotion. */
  held: number;
  reconciled: boolean;
  problems: ReconciliationProblem[];
}

export function reconcileFunnel(funnel: FunnelCounts): Reconciliation {
  const winners = funnel.won;
  const losers = funnel.lost;
  const ineligible = funnel.ineligibleOutcome;
  const held = funnel.pending + funnel.alternates;
  const problems: ReconciliationProblem[] = [];
  if (funnel.unprocessedEvents > 0) {
    problems.push({
      code: 'events_unprocessed',
      count: funnel.unprocessedEvents,
      ja: `未処理の応募イベントが${funnel.unprocessedEvents}件あります。`,
      en: `${funnel.unprocessedEvents} entry event(s) were never processed.`,
    });
  }
  if (funnel.unjudged > 0) {
    problems.push({
      code: 'participants_unjudged',
      count: funnel.unjudged,
      ja: `応募資格が判定されていない参加者が${funnel.unjudged}人います。`,
      en: `${funnel.unjudged} participant(s) were never judged eligible or ineligible.`,
    });
  }
  if (funnel.ineligibleWithoutReason > 0) {
    problems.push({
      code: 'ineligible_without_reason',
      count: funnel.ineligibleWithoutReason,
      ja: `理由のない対象外の参加者が${funnel.ineligibleWithoutReason}人います。`,
      en: `${funnel.ineligibleWithoutReason} ineligible participant(s) have no reason.`,
    });
  }
  const unaccounted = funnel.participants - (winners + losers + ineligible + held);
  if (unaccounted !== 0) {
    problems.push({
      code: 'outcomes_do_not_add_up',
      count: Math.abs(unaccounted),
      ja: `当選・落選・対象外・保留の合計が参加者数と${Math.abs(unaccounted)}人ずれています。`,
      en: `Winners, losers, ineligible and held differ from the participants by ${Math.abs(unaccounted)}.`,
    });
  }
  return {
    events: funnel.events,
    processedEvents: funnel.processedEvents,
    unprocessedEvents: funnel.unprocessedEvents,
    participants: funnel.participants,
    winners,
    losers,
    ineligible,
    held,
    reconciled: problems.length === 0,
    problems,
  };
}
