import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAccountById } from '../../db/repositories/accounts';
import type { Campaign } from '../../db/repositories/campaigns';
import { type Delivery, deliveryCounts, listDeliveries } from '../../db/repositories/deliveries';
import {
  type AwaitingDelivery,
  awaitingStates,
  listAwaitingDeliveriesThrough,
} from '../../db/repositories/delivery-queue';
import { type Entry, listEntries } from '../../db/repositories/entries';
import { quotaUsage } from '../../db/repositories/quota';
import { pacingSchema } from '../../domain/campaign-config';
import { localDayKey, planDeliveries, startOfNextLocalDay } from '../../domain/day-window';
import { dailyCapOf, remainingToday } from '../../domain/quota';
import { roles } from '../plugins/auth';
import { AppError } from '../errors';
import { requireCampaign } from '../lookups';
import { maskingNote, redactorFor } from '../redaction';
import { errorResponses, idParamsSchema } from '../schemas/common';
import {
  type deliverySchema,
  type entrySchema,
  listDeliveriesQuerySchema,
  listDeliveriesResponseSchema,
  listEntriesQuerySchema,
  listEntriesResponseSchema,
} from '../schemas/deliveries';

interface Eta {
  eta: Date;
  dayKey: string;
}

/**
 * ETAs for the waiting queue. DMs are planned over the account's local-day windows with
 * planDeliveries; a reserved DM already counts in today's `used`, so it is planned as a queue
 * position instead. Replies need no DM slot: each goes one gap after the delivery before it, an
 * approximation that leaves the DM plan itself unshifted by them.
 */
export function estimateQueueEtas(input: {
  queue: readonly AwaitingDelivery[];
  now: Date;
  timeZone: string;
  cap: number;
  usedToday: number;
  minGapMs: number;
}): Map<string, Eta> {
  const today = localDayKey(input.now, input.timeZone);
  const dms = input.queue.filter((delivery) => delivery.channel === 'dm');
  const heldToday = dms.filter((d) => d.state === 'reserved' && d.windowDay === today).length;
  const dmPlan = planDeliveries({
    now: input.now,
    timeZone: input.timeZone,
    cap: input.cap,
    usedToday: Math.max(0, input.usedToday - heldToday),
    queueLength: dms.length,
    minGapMs: input.minGapMs,
  });

  const etas = new Map<string, Eta>();
  let dmPosition = 0;
  let cursor = input.now.getTime();
  for (const delivery of input.queue) {
    const planned = delivery.channel === 'dm' ? dmPlan[dmPosition++] : undefined;
    // A reply ahead of a DM holds the queue for one gap, so the DM never goes before it.
    const eta = new Date(Math.max(cursor, planned?.eta.getTime() ?? cursor));
    etas.set(delivery.id, { eta, dayKey: localDayKey(eta, input.timeZone) });
    cursor = eta.getTime() + input.minGapMs;
  }
  return etas;
}

function minGapMsOf(campaign: Campaign): number {
  const parsed = z.object({ pacing: pacingSchema.prefault({}) }).safeParse(campaign.config);
  const pacing = parsed.success ? parsed.data.pacing : pacingSchema.parse({});
  return pacing.minGapSeconds * 1000;
}

export default function deliveryRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const loadCampaign = (id: string) => requireCampaign(app.db, id);

  function presentDelivery(
    delivery: Delivery,
    eta: Eta | undefined,
  ): z.infer<typeof deliverySchema> {
    return {
      id: delivery.id,
      xUserId: delivery.xUserId,
      kind: delivery.kind,
      channel: delivery.channel,
      channelReason: delivery.channelReason,
      state: delivery.state,
      attempts: delivery.attempts,
      errorCode: delivery.errorCode,
      errorCategory: delivery.errorCategory,
      errorReason: delivery.errorReason,
      errorRemedy: delivery.errorRemedy,
      xEventId: delivery.xEventId,
      xConversationId: delivery.xConversationId,
      windowDay: delivery.windowDay,
      eta: eta ? eta.eta.toISOString() : null,
      etaDay: eta ? eta.dayKey : null,
      sentAt: delivery.sentAt?.toISOString() ?? null,
      createdAt: delivery.createdAt.toISOString(),
      updatedAt: delivery.updatedAt.toISOString(),
    };
  }

  r.get(
    '/v1/campaigns/:id/deliveries',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          "A campaign's deliveries in send order, with counts per state, today's DM quota, and an ETA for every queued or reserved one (across day windows)",
        tags: ['deliveries'],
        params: idParamsSchema,
        querystring: listDeliveriesQuerySchema,
        response: { 200: listDeliveriesResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request.params.id);
      const account = await findAccountById(app.db, campaign.accountId);
      if (!account) {
        throw new AppError(
          409,
          'account_missing',
          `Sender account '${campaign.accountId}' of campaign '${campaign.id}' no longer exists`,
        );
      }
      const { state, category, limit, offset } = request.query;
      const [deliveries, counts] = await Promise.all([
        listDeliveries(app.db, { campaignId: campaign.id, state, category, limit, offset }),
        deliveryCounts(app.db, campaign.id),
      ]);

      const now = new Date();
      const timeZone = account.timezone;
      const dayKey = localDayKey(now, timeZone);
      const usage = await quotaUsage(app.db, account.id, dayKey);
      // Later days start with the account's cap; today's ledger may already hold less.
      const accountCap = dailyCapOf(account);
      const cap = dailyCapOf(account, usage);
      const used = usage?.used ?? 0;
      const remaining = remainingToday({ cap, used });

      const awaiting = new Set<string>(awaitingStates);
      // The page is in send order too: its last waiting delivery is the furthest in the queue.
      const lastAwaiting = deliveries.filter((d) => awaiting.has(d.state)).at(-1);
      const etas =
        accountCap >= 1 && lastAwaiting
          ? estimateQueueEtas({
              queue: await listAwaitingDeliveriesThrough(app.db, campaign.id, lastAwaiting.id),
              now,
              timeZone,
              cap: accountCap,
              // Later days start with the configured cap; today keeps only what its own cap leaves.
              usedToday: used + (accountCap - cap),
              minGapMs: minGapMsOf(campaign),
            })
          : new Map<string, Eta>();

      return {
        deliveries: deliveries.map((delivery) => presentDelivery(delivery, etas.get(delivery.id))),
        counts,
        quota: {
          timezone: timeZone,
          dayKey,
          used,
          cap,
          remaining,
          nextWindowAt: remaining === 0 ? startOfNextLocalDay(now, timeZone).toISOString() : null,
        },
      };
    },
  );

  r.get(
    '/v1/campaigns/:id/entries',
    {
      onRequest: app.authorize(roles.read),
      schema: {
        summary:
          "A page of a campaign's participants by X user id: eligibility with reasons (ja/en), consent basis, outcome and prize",
        description: maskingNote,
        tags: ['entries'],
        params: idParamsSchema,
        querystring: listEntriesQuerySchema,
        response: { 200: listEntriesResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(request.params.id);
      const { outcome, eligible, limit, after } = request.query;
      const entries = await listEntries(app.db, campaign.id, {
        outcome,
        eligible,
        limit,
        afterUserId: after,
      });
      const prizeNames = new Map(
        z
          .object({ prizes: z.array(z.object({ id: z.string(), name: z.string() })) })
          .safeParse(campaign.config)
          .data?.prizes.map((prize) => [prize.id, prize.name]) ?? [],
      );
      const redact = redactorFor(request);
      const present = (entry: Entry): z.infer<typeof entrySchema> => ({
        xUserId: entry.xUserId,
        username: redact.username(entry.username),
        consentBasis: entry.consentBasis,
        eligible: entry.eligible,
        reasons: entry.reasons.map(({ code, ja, en }) => ({ code, ja, en })),
        outcome: entry.outcome,
        prize: entry.prizeId
          ? {
              id: entry.prizeId,
              name: prizeNames.get(entry.prizeId) ?? null,
              code: redact.code(entry.prizeCode),
            }
          : null,
        firstSeenAt: entry.firstSeenAt.toISOString(),
        updatedAt: entry.updatedAt.toISOString(),
      });
      return {
        entries: entries.map(present),
        nextAfter: entries.length === limit ? (entries.at(-1)?.xUserId ?? null) : null,
      };
    },
  );
}
