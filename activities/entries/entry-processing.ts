/**
 * Deciding entries in batches. X's facts about the batch's participants are fetched first,
 * outside any transaction, and stored per participant as they arrive (with a heartbeat each);
 * then one short transaction claims the events of the participants whose facts are complete
 * and decides them without calling X. Participants still waiting on X (its rate window spent)
 * keep their events unprocessed for the next batch, so nothing is decided on half the facts
 * and nothing fetched is thrown away.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { type Db, inTransaction } from '../../db/client';
import { haltAccount } from '../../db/repositories/accounts';
import type { EntryReasonJson } from '../../db/database';
import { insertClaims } from '../../db/repositories/claims';
import { insertDeliveries, type NewDelivery } from '../../db/repositories/deliveries';
import { findDraw } from '../../db/repositories/draws';
import {
  claimEntryEventsById,
  countUnprocessedEvents,
  type Entry,
  type EntryEvent,
  findEntry,
  listUnprocessedEvents,
  releaseEntryEvents,
  setEntryOutcomes,
  upsertEntry,
} from '../../db/repositories/entries';
import { findParticipantFacts } from '../../db/repositories/participant-facts';
import { assignPrizeCode, listPrizeStock, takePrizeStock } from '../../db/repositories/prizes';
import type { CampaignConfig } from '../../domain/campaign-config';
import { claimDeadline } from '../../domain/claims';
import { type ApiTier, strongestConsentBasis } from '../../domain/consent';
import { decideParticipant, isWithinEntryPeriod } from '../../domain/eligibility';
import { entryRoll, instantWinProbability } from '../../domain/lottery';
import { xErrorFromDetails } from '../../domain/x-errors';
import type { loadRunningCampaign } from '../campaign/campaign-loader';
import { planResultDelivery } from '../delivery/delivery-plan';
import {
  type createFactFetcher,
  emptyFacts,
  type FactsSubject,
  hasCompleteFacts,
  mergeEvent,
  type StoredFacts,
  withStoredXFacts,
} from './participant-facts';

export interface EntryBatch {
  processed: number;
  participants: number;
  newlyEligible: number;
  won: number;
  queued: number;
  remaining: number;
  /** Instant wins: units of stock left over all prizes after this batch. */
  stockRemaining?: number;
  /**
   * Set when some participants' events wait for X's facts because its rate window is spent:
   * the window's reset (the events stay unprocessed, counted in `remaining`).
   */
  xWindowResetAt?: string;
  /**
   * X refused the sender itself (lost authorisation, a restriction) while facts were read: the
   * account is halted, nothing of this batch was decided, its events wait for the resume.
   */
  halted?: { code: string; category: string };
}

/** Won, lost or drawn as an alternate: no later event changes the verdict. */
export const isDecided = (entry: Entry | undefined) =>
  entry !== undefined && entry.outcome !== 'pending' && entry.outcome !== 'ineligible';

/** Eligible once the drawn campaign's draw was published: it can no longer be drawn. */
export const afterDrawReason: EntryReasonJson = {
  code: 'after_draw',
  ja: '抽選後に届いた応募です。',
  en: 'The entry arrived after the draw.',
};

interface Subject extends FactsSubject {
  existing: Entry | undefined;
  username: string | null;
  eventIds: string[];
}

export interface EntryProcessingDeps {
  db: Db;
  factFetcher: ReturnType<typeof createFactFetcher>;
  loadConfig: (campaignId: string) => ReturnType<typeof loadRunningCampaign>;
  campaignSeed: (campaignId: string) => Promise<string>;
}

export function createEntryProcessing({
  db,
  factFetcher,
  loadConfig,
  campaignSeed,
}: EntryProcessingDeps) {
  /**
   * Each participant of `events` with their facts: what is stored, these events merged in, and
   * what X said. An event dated outside the entry period adds no facts, only a count.
   */
  async function subjectsOf(
    dbOrTrx: Db,
    config: CampaignConfig,
    campaignId: string,
    events: readonly EntryEvent[],
  ): Promise<Subject[]> {
    const byUser = new Map<string, EntryEvent[]>();
    for (const event of events) {
      if (!event.xUserId) continue;
      byUser.set(event.xUserId, [...(byUser.get(event.xUserId) ?? []), event]);
    }
    const stored = await findParticipantFacts(dbOrTrx, campaignId, [...byUser.keys()]);
    const subjects: Subject[] = [];
    for (const [xUserId, userEvents] of byUser) {
      const existing = await findEntry(dbOrTrx, campaignId, xUserId);
      let facts = (existing?.facts as StoredFacts | undefined) ?? emptyFacts();
      for (const event of userEvents) {
        if (isWithinEntryPeriod(config.schedule, event.occurredAt)) {
          facts = mergeEvent(facts, event);
        } else {
          facts = { ...facts, outsidePeriodEvents: (facts.outsidePeriodEvents ?? 0) + 1 };
        }
      }
      const username = userEvents.find((e) => e.username)?.username ?? existing?.username ?? null;
      subjects.push({
        xUserId,
        facts: withStoredXFacts(facts, stored.get(xUserId)),
        existing,
        username,
        eventIds: userEvents.map((e) => e.id),
      });
    }
    return subjects;
  }

  const ready = (config: CampaignConfig, subject: Subject) =>
    isDecided(subject.existing) || hasCompleteFacts(config, subject.facts);

  /**
   * Takes one batch of new entry events: completes each participant's facts from X, decides
   * eligibility with reasons, and for instant wins draws and queues the result at once.
   */
  async function processEntries(input: {
    campaignId: string;
    now: string;
    limit: number;
  }): Promise<EntryBatch> {
    const { config, account } = await loadConfig(input.campaignId);
    const tier: ApiTier = account.tier === 'enterprise' ? 'enterprise' : 'self_serve';
    const now = new Date(input.now);
    const seed = config.kind === 'instant_win' ? await campaignSeed(input.campaignId) : '';

    // X first, outside the transaction: each answer is stored as it arrives.
    const peeked = await listUnprocessedEvents(db, input.campaignId, input.limit);
    const seen = await subjectsOf(db, config, input.campaignId, peeked);
    let fetched;
    try {
      fetched = await factFetcher.fetchMissingFacts(
        config,
        account,
        input.campaignId,
        seen.filter((s) => !isDecided(s.existing)),
      );
    } catch (error) {
      const xError = error instanceof ApplicationFailure ? xErrorFromDetails(error.details) : null;
      if (!xError || (xError.category !== 'auth' && xError.category !== 'sender_restricted')) {
        throw error;
      }
      // The sender's own problem stops every campaign on the account, as a send would.
      const halt = { code: xError.code, category: xError.category };
      await haltAccount(db, account.id, { ...halt, campaignId: input.campaignId });
      return {
        processed: 0,
        participants: 0,
        newlyEligible: 0,
        won: 0,
        queued: 0,
        remaining: await countUnprocessedEvents(db, input.campaignId),
        halted: halt,
      };
    }
    const takeIds = [
      ...peeked.filter((e) => !e.xUserId).map((e) => e.id),
      ...seen.filter((s) => ready(config, s)).flatMap((s) => s.eventIds),
    ];

    const result = await inTransaction(db, async (trx) => {
      const claimed = await claimEntryEventsById(trx, input.campaignId, takeIds);
      const all = await subjectsOf(trx, config, input.campaignId, claimed);
      // Facts read while this batch ran cannot be missing now; should a participant's be
      // (a concurrent change of its entry), its events go back for the next batch.
      const waiting = all.filter((s) => !ready(config, s));
      const released = waiting.flatMap((s) => s.eventIds);
      await releaseEntryEvents(trx, input.campaignId, released);
      const subjects = all.filter((s) => ready(config, s));
      await factFetcher.addRecordFacts(
        config,
        trx,
        subjects.filter((s) => !isDecided(s.existing)),
      );
      const drawn =
        config.kind === 'drawn' && (await findDraw(trx, input.campaignId)) !== undefined;
      // Read once per batch and kept current as stock is taken: the workflow runs one batch
      // at a time, and takePrizeStock stays the atomic guard against going below zero.
      const stockInBatch =
        config.kind === 'instant_win' ? await listPrizeStock(trx, input.campaignId) : undefined;
      let newlyEligible = 0;
      let won = 0;
      const deliveries: NewDelivery[] = [];
      for (const { xUserId, facts, existing, username } of subjects) {
        // A decided participant (won, lost, alternate) keeps the verdict it was decided on.
        let verdict: { eligible: boolean | null; reasons: readonly EntryReasonJson[] } =
          existing && isDecided(existing)
            ? { eligible: existing.eligible, reasons: existing.reasons }
            : decideParticipant(
                config,
                { userId: xUserId, username: username ?? undefined },
                facts,
              );
        // Eligible only now, after the draw: nobody can draw them any more, so they are told
        // why instead of waiting as `pending` for ever.
        if (drawn && verdict.eligible && !isDecided(existing)) {
          verdict = { eligible: false, reasons: [afterDrawReason] };
        }
        const entry = await upsertEntry(trx, {
          campaignId: input.campaignId,
          xUserId,
          username,
          consentBasis: strongestConsentBasis(facts.sources),
          facts,
          eligible: verdict.eligible,
          reasons: verdict.reasons,
        });
        if (!verdict.eligible || entry.outcome !== 'pending') continue;
        if (existing?.eligible !== true) newlyEligible += 1;
        if (config.kind !== 'instant_win') continue;

        const roll = entryRoll(seed, xUserId);
        let floor = 0;
        let prizeWon: string | null = null;
        for (const stock of stockInBatch ?? []) {
          const prize = config.prizes.find((p) => p.id === stock.prizeId);
          if (!prize?.odds || stock.stockRemaining <= 0) continue;
          const probability = instantWinProbability({
            remainingStock: stock.stockRemaining,
            now,
            endAt: new Date(config.schedule.endAt),
            expectedEntriesPerHour: 60,
            baseOdds: prize.odds,
          });
          if (roll >= floor && roll < floor + probability) {
            if (await takePrizeStock(trx, input.campaignId, prize.id)) {
              stock.stockRemaining -= 1;
              prizeWon = prize.id;
              break;
            }
            stock.stockRemaining = 0;
          }
          floor += probability;
        }
        const code = prizeWon
          ? await assignPrizeCode(trx, input.campaignId, prizeWon, xUserId)
          : null;
        await setEntryOutcomes(trx, input.campaignId, [
          { xUserId, outcome: prizeWon ? 'won' : 'lost', prizeId: prizeWon, prizeCode: code },
        ]);
        if (prizeWon) won += 1;
        // With claims on, an instant win waits for its claim until the deadline.
        const claimHours = config.claim ? config.schedule.claimDeadlineHours : undefined;
        if (prizeWon && claimHours !== undefined) {
          await insertClaims(trx, [
            {
              campaignId: input.campaignId,
              xUserId,
              prizeId: prizeWon,
              openedAt: now,
              deadlineAt: claimDeadline(now, claimHours),
            },
          ]);
        }
        const delivery = planResultDelivery(
          config,
          tier,
          { xUserId, facts },
          input.campaignId,
          account.id,
          prizeWon ? 'win' : 'lose',
        );
        if (delivery) deliveries.push(delivery);
      }
      const queued = deliveries.length ? await insertDeliveries(trx, deliveries) : 0;
      return {
        processed: claimed.length - released.length,
        participants: subjects.length,
        newlyEligible,
        won,
        queued,
      };
    });
    const remaining = await countUnprocessedEvents(db, input.campaignId);
    const waitingOnX =
      fetched.spentUntil && remaining > 0 ? { xWindowResetAt: fetched.spentUntil } : {};
    if (config.kind !== 'instant_win') return { ...result, remaining, ...waitingOnX };
    const stock = await listPrizeStock(db, input.campaignId);
    return {
      ...result,
      remaining,
      ...waitingOnX,
      stockRemaining: stock.reduce((sum, prize) => sum + prize.stockRemaining, 0),
    };
  }

  return { processEntries };
}
