/**
 * Send rates read from the emulator's record of accepted DMs, and their ratios. Pure: the caller
 * collects the instants.
 */

export interface SendRate {
  /** DMs counted. */
  count: number;
  /** From the first DM accepted to the last. */
  seconds: number;
  /** DMs after the first, per second of that span: n DMs make n − 1 intervals. */
  perSecond: number;
  /** The longest wait between two consecutive DMs (a stall shows here, not in the mean). */
  longestGapSeconds: number;
}

/** The rate of a run of sends from the instants X accepted each one (any order). */
export function sendRate(acceptedAtMs: readonly number[]): SendRate {
  if (acceptedAtMs.length < 2) {
    throw new Error(`a send rate needs at least two sends, got ${acceptedAtMs.length}`);
  }
  for (const at of acceptedAtMs) {
    if (!Number.isFinite(at)) throw new Error(`not an instant: ${at}`);
  }
  const sorted = [...acceptedAtMs].sort((a, b) => a - b);
  const seconds = ((sorted.at(-1) as number) - (sorted[0] as number)) / 1000;
  if (!(seconds > 0)) throw new Error('every send was accepted in the same millisecond');
  let longestGapMs = 0;
  for (let i = 1; i < sorted.length; i += 1) {
    longestGapMs = Math.max(longestGapMs, (sorted[i] as number) - (sorted[i - 1] as number));
  }
  return {
    count: acceptedAtMs.length,
    seconds,
    perSecond: (acceptedAtMs.length - 1) / seconds,
    longestGapSeconds: longestGapMs / 1000,
  };
}

/** `measured / reference`, refusing a reference of zero (no rate to compare against). */
export function rateRatio(measured: number, reference: number): number {
  if (!(reference > 0)) throw new Error(`the reference rate must be positive, got ${reference}`);
  return measured / reference;
}

/** The median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** "12.3 DMs/s (300 DMs in 24.3 s, longest gap 1.2 s)": how a rate reads in a figure's detail. */
export function describeRate(rate: SendRate): string {
  return `${rate.perSecond.toFixed(1)} DMs/s (${rate.count} DMs in ${rate.seconds.toFixed(1)} s, longest gap ${rate.longestGapSeconds.toFixed(1)} s)`;
}
