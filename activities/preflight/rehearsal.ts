/**
 * The rehearsal: every DM template the campaign uses, rendered with each test account's own
 * variables and sent for real (nothing prefixed: the point is the real text), then confirmed in
 * the conversation. Each DM is a `deliveries` row of kind 'rehearsal' sent through the one send
 * pipeline (delivery/send-pipeline.ts), so it holds a slot in the account's DM quota, is sent at
 * most once per round and is reconciled with X when a retry finds it 'sending'. Replies are not
 * rehearsed: a reply is public, under the brand's name, and self-serve access may reply only
 * where the test account engaged first.
 */
import type { Db } from '../../db/client';
import type { LocalizedTextJson } from '../../db/database';
import type { Account } from '../../db/repositories/accounts';
import { ensureCampaignSecretSeed } from '../../db/repositories/campaign-seed';
import type { Campaign } from '../../db/repositories/campaigns';
import {
  type DeliveryFailure,
  findDelivery,
  insertDeliveries,
  markDeliveryFailed,
} from '../../db/repositories/deliveries';
import type { CampaignConfig } from '../../domain/campaign-config';
import { localDayKey } from '../../domain/day-window';
import { resultUrl } from '../../domain/result-links';
import { renderTemplate, renderWinMessage } from '../../domain/templates';
import { verificationCode } from '../../domain/verification';
import { isXErrorCode, makeXError, type XError } from '../../domain/x-errors';
import {
  classifiedXError,
  failureOf,
  type MessageOutcome,
  type SendPipeline,
  settledOutcome,
} from '../delivery/send-pipeline';
import type { XAccess, XUser } from '../x-access';
import { blocksSender, type PreflightFinding } from './findings';
import { heartbeat, type PreflightProgress } from './progress';

/** The X calls of the rehearsal besides sending: finding the test accounts, reading back. */
export type RehearsalX = Pick<XAccess, 'xLookupUsers' | 'xListDmEvents'>;

/** The real templates the rehearsal sends: DMs only. */
export type RehearsedTemplate = 'win.dm' | 'lose.dm';

export interface RehearsalResult {
  testUserId: string;
  template: RehearsedTemplate;
  /** X accepted the DM and it is in the conversation with the test account. */
  arrived: boolean;
  dmEventId?: string;
  /** Why it did not arrive: an X error code, or rehearsal_quota_full / rehearsal_not_confirmed. */
  code?: string;
  /**
   * X refused to repeat a text this test account already got from the account (an unchanged
   * template in an earlier round); the earlier, identical DM is the one confirmed.
   */
  earlierCopy?: true;
}

const templateLabels: Record<RehearsedTemplate, LocalizedTextJson> = {
  'win.dm': { en: 'win DM', ja: '当選DM' },
  'lose.dm': { en: 'lose DM', ja: '落選DM' },
};

/** Why a rehearsal row exists, shown to operators like a delivery's channel reason. */
function rehearsalChannelReason(template: RehearsedTemplate, round: number) {
  return {
    code: 'rehearsal',
    template,
    round,
    en: 'Preflight rehearsal: the real template, sent by DM to a test account before launch.',
    ja: 'プリフライトのリハーサル：本番のテンプレートを開始前にテストアカウントへDMで送信します。',
  };
}

function quotaFullFailure(
  account: Account,
  day: { dayKey: string; used: number; cap: number },
): DeliveryFailure {
  return {
    code: 'rehearsal_quota_full',
    category: 'quota_exhausted',
    reason: {
      en: `Today's DM quota of @${account.handle} is used up (${day.used} of ${day.cap} on ${day.dayKey}); rehearsal DMs are real DMs and count against it.`,
      ja: `@${account.handle} の本日のDM枠を使い切っています（${day.dayKey}：${day.cap}件中${day.used}件）。リハーサルのDMも実際のDMとして枠を使います。`,
    },
    remedy: {
      en: "Run preflight again on the account's next local day, or raise its daily DM cap.",
      ja: 'アカウントの翌日（現地時間）にプリフライトをやり直すか、1日あたりのDM上限を引き上げてください。',
    },
  };
}

function unrenderableFailure(missing: string[], unknown: string[]): DeliveryFailure {
  const problems = [
    ...missing.map((name) => `{${name}} has no value`),
    ...unknown.map((name) => `{${name}} is unknown`),
  ].join(', ');
  return {
    code: 'template_unrenderable',
    category: 'content_rejected',
    reason: {
      en: `The template cannot be filled in: ${problems}.`,
      ja: `テンプレートを埋められません：${problems}。`,
    },
    remedy: {
      en: 'Fix the template (a {resultUrl} needs PUBLIC_BASE_URL configured), then run preflight again.',
      ja: 'テンプレートを修正してから（{resultUrl} には PUBLIC_BASE_URL の設定が必要です）、プリフライトをやり直してください。',
    },
  };
}

type RehearsalText = { ok: true; text: string } | { ok: false; failure: DeliveryFailure };

type RehearsalSend =
  | { kind: 'sent'; dmEventId: string; earlierCopy: boolean }
  | { kind: 'failed'; failure: DeliveryFailure }
  | { kind: 'quota_full'; failure: DeliveryFailure };

export interface RehearsalDeps {
  db: Db;
  /** Sends each rehearsal DM like any other message. */
  pipeline: SendPipeline;
  /** Base of participants' personal result links, used in the rehearsed templates. */
  publicBaseUrl?: string;
}

export function createRehearsal({ db, pipeline, publicBaseUrl }: RehearsalDeps) {
  /** Test accounts by id; an id X cannot return maps to its classified error. */
  async function lookupTestAccounts(
    account: Account,
    x: RehearsalX,
    ids: string[],
  ): Promise<Map<string, { user: XUser } | { error: XError }>> {
    const found = new Map<string, { user: XUser } | { error: XError }>();
    for (let start = 0; start < ids.length; start += 100) {
      const chunk = ids.slice(start, start + 100);
      try {
        const { users, errors } = await x.xLookupUsers({ accountId: account.id, ids: chunk });
        for (const user of users) found.set(user.id, { user });
        for (const error of errors) {
          if (error.resourceId && chunk.includes(error.resourceId))
            found.set(error.resourceId, { error });
        }
      } catch (error) {
        const xError = classifiedXError(error);
        if (!xError) throw error;
        for (const id of chunk) found.set(id, { error: xError });
      }
    }
    for (const id of ids) {
      if (!found.has(id))
        found.set(id, { error: makeXError('user_not_found', { resourceId: id }) });
    }
    return found;
  }

  function asRehearsalSend(outcome: MessageOutcome, account: Account): RehearsalSend {
    switch (outcome.status) {
      case 'sent':
        return { kind: 'sent', dmEventId: outcome.xEventId, earlierCopy: outcome.earlierCopy };
      case 'failed':
        return outcome.failure.code === 'rehearsal_quota_full'
          ? { kind: 'quota_full', failure: outcome.failure }
          : { kind: 'failed', failure: outcome.failure };
      case 'quota_full':
        return { kind: 'quota_full', failure: quotaFullFailure(account, outcome) };
      default:
        // The pipeline neither skips nor halts on a rehearsal: it fails it.
        throw new Error(`rehearsal DM answered ${outcome.status}`);
    }
  }

  /**
   * One rehearsal DM, at most once per round: its row (the id carries the round) goes through
   * the send pipeline; a retry of the same round finds it settled or reconciles it with X.
   */
  async function sendRehearsal(request: {
    id: string;
    campaignId: string;
    account: Account;
    testUserId: string;
    template: RehearsedTemplate;
    round: number;
    text: RehearsalText;
    at: Date;
    dayKey: string;
    refusedSender?: DeliveryFailure;
  }): Promise<RehearsalSend> {
    const { id, account } = request;
    await insertDeliveries(db, [
      {
        id,
        campaignId: request.campaignId,
        accountId: account.id,
        xUserId: request.testUserId,
        kind: 'rehearsal',
        channel: 'dm',
        channelReason: rehearsalChannelReason(request.template, request.round),
        windowDay: request.dayKey,
        body: request.text.ok ? request.text.text : null,
      },
    ]);
    const delivery = await findDelivery(db, id);
    if (!delivery) throw new Error(`rehearsal DM ${id} was not stored`);
    const settled = settledOutcome(delivery);
    if (settled) return asRehearsalSend(settled, account);

    const fail = async (failure: DeliveryFailure): Promise<RehearsalSend> => {
      await markDeliveryFailed(db, id, failure);
      return { kind: 'failed', failure };
    };
    if (!request.text.ok) return fail(request.text.failure);
    // The sender was refused on an earlier rehearsal DM: more attempts only add restriction signals.
    if (request.refusedSender) return fail(request.refusedSender);

    const sent = asRehearsalSend(
      await pipeline.sendMessage({ delivery, account, text: request.text.text, at: request.at }),
      account,
    );
    // Sent today or not at all: a rehearsal never waits in the queue for a later day's window.
    if (sent.kind === 'quota_full') await markDeliveryFailed(db, id, sent.failure);
    return sent;
  }

  /**
   * Rehearses every DM template with every registered test account, reads each conversation
   * back once, and returns the results and the findings that block launch.
   */
  async function rehearse(input: {
    campaign: Campaign;
    config: CampaignConfig;
    account: Account;
    x: RehearsalX;
    round: number;
    at: Date;
    /** Test accounts an admin registered for the sender: nobody else gets a rehearsal DM. */
    registeredTestAccounts: ReadonlySet<string>;
  }): Promise<{ results: RehearsalResult[]; findings: PreflightFinding[] }> {
    const { campaign, config, account, x, round, at } = input;
    const progress = (step: PreflightProgress['step'], counts?: { done: number; of?: number }) =>
      heartbeat({ step, round, ...counts });
    const templates = (['win', 'lose'] as const).flatMap((kind) => {
      const text = config.templates[kind].dm;
      return text === undefined ? [] : [{ key: `${kind}.dm` as RehearsedTemplate, text }];
    });
    const testUserIds = [...new Set(config.testAccounts)].filter((id) =>
      input.registeredTestAccounts.has(id),
    );
    if (templates.length === 0 || testUserIds.length === 0) return { results: [], findings: [] };
    const base = publicBaseUrl?.replace(/\/+$/, '');

    const people = await lookupTestAccounts(account, x, testUserIds);
    progress('test_accounts_found');
    // The seed the campaign's real links and codes will carry, so the test account can open its
    // rehearsed {resultUrl} and check its code; preflight creates it when first to need it.
    const seed = await ensureCampaignSecretSeed(db, campaign.id);
    const links = base === undefined ? undefined : { base, seed };
    const dayKey = localDayKey(at, account.timezone);
    const results: RehearsalResult[] = [];
    const findings: PreflightFinding[] = [];
    let quotaFull: { failure: DeliveryFailure; count: number } | undefined;
    let refusedSender: DeliveryFailure | undefined;
    const dmsPlanned = testUserIds.length * templates.length;
    let dmsHandled = 0;
    let conversationsRead = 0;

    for (const testUserId of testUserIds) {
      const person = people.get(testUserId);
      const user = person && 'user' in person ? person.user : undefined;
      const label = user ? `@${user.username} (${testUserId})` : testUserId;
      const failedFinding = (template: RehearsedTemplate, failure: DeliveryFailure) =>
        findings.push({
          code: 'rehearsal_failed',
          severity: 'blocking',
          path: `templates.${template}`,
          errorCode: failure.code,
          en: `Rehearsal of the ${templateLabels[template].en} to test account ${label} failed (${failure.code}): ${failure.reason.en}${failure.remedy ? ` ${failure.remedy.en}` : ''}`,
          ja: `テストアカウント ${label} への${templateLabels[template].ja}のリハーサルに失敗しました（${failure.code}）。${failure.reason.ja}${failure.remedy?.ja ?? ''}`,
        });

      const sent: { result: RehearsalResult; dmEventId: string }[] = [];
      for (const template of templates) {
        let text: RehearsalText;
        if (!user) {
          const error = person && 'error' in person ? person.error : makeXError('user_not_found');
          text = { ok: false, failure: failureOf(error) };
        } else {
          const vars = {
            name: `@${user.username}`,
            prize: config.prizes[0]?.name ?? '',
            code: 'REHEARSAL',
            resultUrl: links && resultUrl(links.base, campaign.id, testUserId, links.seed),
            // The test account's own code, as its win message would carry it.
            verificationCode: verificationCode(seed, testUserId),
          };
          const rendered =
            template.key === 'win.dm'
              ? renderWinMessage(template.text, vars)
              : renderTemplate(template.text, vars);
          text = rendered.ok
            ? rendered
            : { ok: false, failure: unrenderableFailure(rendered.missing, rendered.unknown) };
        }
        const outcome = await sendRehearsal({
          id: `${campaign.id}:rehearsal:${round}:${template.key}:${testUserId}`,
          campaignId: campaign.id,
          account,
          testUserId,
          template: template.key,
          round,
          text,
          at,
          dayKey,
          refusedSender,
        });
        dmsHandled += 1;
        progress('rehearsal_sent', { done: dmsHandled, of: dmsPlanned });
        if (outcome.kind === 'sent') {
          const result: RehearsalResult = {
            testUserId,
            template: template.key,
            arrived: false,
            dmEventId: outcome.dmEventId,
            ...(outcome.earlierCopy ? { earlierCopy: true as const } : {}),
          };
          results.push(result);
          sent.push({ result, dmEventId: outcome.dmEventId });
          continue;
        }
        results.push({
          testUserId,
          template: template.key,
          arrived: false,
          code: outcome.failure.code,
        });
        if (outcome.kind === 'quota_full') {
          quotaFull = { failure: outcome.failure, count: (quotaFull?.count ?? 0) + 1 };
          continue;
        }
        failedFinding(template.key, outcome.failure);
        const { code } = outcome.failure;
        if (isXErrorCode(code) && blocksSender(makeXError(code))) refusedSender ??= outcome.failure;
      }

      // X accepting a DM is not the test account having it: read the conversation once.
      if (sent.length === 0) continue;
      try {
        const page = await x.xListDmEvents({
          accountId: account.id,
          participantId: testUserId,
          maxPages: 1,
        });
        const inConversation = new Set(page.items.map((event) => event.id));
        for (const { result, dmEventId } of sent) {
          result.arrived = inConversation.has(dmEventId);
          if (result.arrived) continue;
          result.code = 'rehearsal_not_confirmed';
          failedFinding(result.template, {
            code: 'rehearsal_not_confirmed',
            category: 'unknown',
            reason: {
              en: `X accepted the DM (event ${dmEventId}), but it is not in the conversation with the test account.`,
              ja: `XはDMを受け付けました（イベント ${dmEventId}）が、テストアカウントとの会話に見当たりません。`,
            },
            remedy: {
              en: 'Open the conversation as the test account; if the DM is missing, check the sender and the test account on x.com, then run preflight again.',
              ja: 'テストアカウントで会話を開いて確認してください。DMがない場合は x.com で送信アカウントとテストアカウントの状態を確認し、プリフライトをやり直してください。',
            },
          });
        }
      } catch (error) {
        const xError = classifiedXError(error);
        if (!xError) throw error;
        for (const { result } of sent) {
          result.code = xError.code;
          failedFinding(result.template, {
            ...failureOf(xError),
            reason: {
              en: `X accepted the DM, but Kuji could not read the conversation to confirm it arrived: ${xError.reason.en}`,
              ja: `XはDMを受け付けましたが、届いたことを会話で確認できませんでした。${xError.reason.ja}`,
            },
          });
        }
      }
      conversationsRead += 1;
      progress('rehearsal_confirmed', { done: conversationsRead });
    }

    if (quotaFull) {
      findings.push({
        code: 'rehearsal_quota_full',
        severity: 'blocking',
        en: `The rehearsal could not send ${quotaFull.count} DM(s): ${quotaFull.failure.reason.en} ${quotaFull.failure.remedy?.en ?? ''}`.trim(),
        ja: `リハーサルで${quotaFull.count}件のDMを送れませんでした。${quotaFull.failure.reason.ja}${quotaFull.failure.remedy?.ja ?? ''}`,
      });
    }
    return { results, findings };
  }

  return { rehearse };
}
