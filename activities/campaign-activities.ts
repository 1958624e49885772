/**
 * Activities around launch: preflight (configuration, compliance, the sender's health, the
 * "armed" check and the rehearsal that sends the real templates to test accounts) and, while the
 * campaign runs, checking and re-arming the automation it depends on.
 */
import { ApplicationFailure, asyncLocalStorage } from '@temporalio/activity';
import type { Db } from '../db/client';
import type { LocalizedTextJson } from '../db/database';
import { type Account, findAccountById } from '../db/repositories/accounts';
import { insertAuditEntry } from '../db/repositories/audit-log';
import { ensureCampaignSecretSeed } from '../db/repositories/campaign-seed';
import {
  type Campaign,
  findCampaignById,
  findOtherLiveCampaignsOfAccount,
  updateCampaignPhase,
  updateCampaignPreflight,
} from '../db/repositories/campaigns';
import {
  type DeliveryFailure,
  findDelivery,
  insertDeliveries,
  markDeliveryFailed,
  markDeliveryReserved,
  markDeliverySending,
  markDeliverySent,
} from '../db/repositories/deliveries';
import { releaseQuotaSlot, reserveQuotaSlot } from '../db/repositories/quota';
import { findRegisteredTestAccountIds } from '../db/repositories/test-accounts';
import { type CampaignConfig, campaignConfigSchema } from '../domain/campaign-config';
import { checkPremiumCompliance } from '../domain/compliance';
import { type ApiTier, reachabilitySummary } from '../domain/consent';
import { localDayKey } from '../domain/day-window';
import { countBySeverity, type Finding } from '../domain/findings';
import { keywordOverlapFindings } from '../domain/keyword-routing';
import type { CampaignPhase } from '../domain/phases';
import { unregisteredTestAccountsFinding } from '../domain/test-accounts';
import { effectiveDailyCap } from '../domain/quota';
import { resultUrl } from '../domain/result-links';
import { identicalTextRisk, renderTemplate } from '../domain/templates';
import {
  isXErrorCode,
  makeXError,
  type XError,
  xErrorCatalog,
  xErrorFromDetails,
} from '../domain/x-errors';
import type { PreflightSummary } from '../workflows/messages';
import type { SendDmResult, XAccess, XUser } from './x-access';

/** The X calls of preflight and the armed check; activities/index.ts passes the real ones. */
export type CampaignX = Pick<
  XAccess,
  'xMe' | 'xArmedCheck' | 'xRearm' | 'xLookupUsers' | 'xSendDm' | 'xListDmEvents'
>;

export interface CampaignActivityDeps {
  db: Db;
  now?: () => Date;
  /** Without it preflight checks only what is stored (no health check, armed check or rehearsal). */
  x?: CampaignX;
  /**
   * Where X delivers this deployment's events (`${PUBLIC_BASE_URL}/v1/webhooks/x`), set only when
   * the deployment has a webhook. Unset, Kuji runs on polling alone and is always armed.
   */
  webhookUrl?: string;
  /** Base of participants' personal result links, used in the rehearsed templates. */
  publicBaseUrl?: string;
}

/** A finding caused by an X error or an armed-check problem keeps that code beside its own. */
export type PreflightFinding = Finding & { errorCode?: string };

/** The real templates the rehearsal sends: DMs only (see `rehearse`). */
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

/** What runPreflight stores in `campaigns.preflight`; the workflow sees only the summary. */
export interface StoredPreflight extends PreflightSummary {
  findings: PreflightFinding[];
  /** Preflights run so far for the campaign, this one included; rehearsal delivery ids carry it. */
  round: number;
  rehearsal: RehearsalResult[];
}

/**
 * How far preflight got, as its heartbeats tell Temporal (and the Web UI's pending activity):
 * steps and counts only — never a test account's id or a text.
 */
export interface PreflightProgress {
  step:
    | 'sender_checked'
    | 'armed_checked'
    | 'test_accounts_found'
    | 'rehearsal_sent'
    | 'rehearsal_confirmed';
  round: number;
  /** Rehearsal DMs handled so far (rehearsal_sent), or conversations read (rehearsal_confirmed). */
  done?: number;
  /** Rehearsal DMs planned in all (rehearsal_sent). */
  of?: number;
}

/**
 * Preflight makes a series of X calls (each up to the client's request timeout, some waiting out
 * a rate-limit window): a heartbeat after each step lets the workflow's heartbeat timeout tell a
 * slow preflight from a stuck one. Called outside an activity (a test, a script), there is no
 * Temporal to tell.
 */
function heartbeat(progress: PreflightProgress): void {
  asyncLocalStorage.getStore()?.heartbeat(progress);
}

export interface AutomationArmedStatus {
  armed: boolean;
  problem: { code: string; ja: string; en: string } | null;
  checkedAt: string;
}

export interface RearmOutcome {
  replayJobId: string | null;
  subscribed: boolean;
  /** The end of the replayed gap (X clock): the automation is armed again from here. */
  replayTo?: string;
}

/**
 * What the approver must see before launch: 景品表示法 caps for the declared premium kind,
 * whether winners can be reached on a channel X's rules allow for their consent, and templates
 * that would send the same text to many people (bursts of identical DMs get accounts restricted).
 */
export function policyFindings(config: CampaignConfig, tier: ApiTier): Finding[] {
  const compliance = checkPremiumCompliance({
    premiumKind: config.compliance.premiumKind,
    transactionValueYen: config.compliance.transactionValueYen,
    expectedSalesYen: config.compliance.expectedSalesYen,
    prizes: config.prizes.map((p) => ({
      id: p.id,
      name: p.name,
      valueYen: p.valueYen,
      stock: p.stock,
    })),
  });
  const recipients = config.prizes.reduce((sum, p) => sum + p.stock, 0);
  const templates = [config.templates.win.dm, config.templates.win.reply].filter(
    (t): t is string => t !== undefined,
  );
  return [
    ...compliance.findings.map((f): Finding => ({
      code: f.code,
      severity: f.severity,
      ja: f.ja,
      en: f.en,
      ...(f.prizeId ? { path: `prizes.${f.prizeId}` } : {}),
    })),
    ...reachabilitySummary(config, tier).findings,
    ...templates
      .map((t) => identicalTextRisk(t, recipients))
      .filter((f): f is Finding => f !== null),
  ];
}

/** The X error an X activity put in its failure, or undefined for anything else (a bug, the DB). */
function classifiedXError(error: unknown): XError | undefined {
  return error instanceof ApplicationFailure ? xErrorFromDetails(error.details) : undefined;
}

/** Nothing will succeed for this sender until a person acts (re-link, unlock, appeal, top up). */
function blocksSender(error: XError): boolean {
  return error.haltsAccount || error.category === 'auth' || error.category === 'sender_restricted';
}

function senderUnhealthyFinding(account: Account, error: XError): PreflightFinding {
  // What X (or the credentials store) said exactly, for whoever has to fix it; never a secret.
  const detail = error.xDetail ? ` (${error.xDetail})` : '';
  return {
    code: 'sender_unhealthy',
    severity: 'blocking',
    errorCode: error.code,
    en: `Sender account @${account.handle} failed the health check (${error.code}${detail}): ${error.reason.en} ${error.remedy.en}`,
    ja: `送信アカウント @${account.handle} の状態確認に失敗しました（${error.code}${detail}）。${error.reason.ja}${error.remedy.ja}`,
  };
}

function senderHealthUnknownFinding(account: Account, error: XError): PreflightFinding {
  return {
    code: 'sender_health_unknown',
    severity: 'warning',
    errorCode: error.code,
    en: `Kuji could not check sender account @${account.handle} with X (${error.code}): ${error.reason.en} Its token and restrictions are checked again on every send.`,
    ja: `送信アカウント @${account.handle} の状態をXで確認できませんでした（${error.code}）。${error.reason.ja}トークンと制限の有無は送信のたびに改めて確認されます。`,
  };
}

function senderHaltedFinding(account: Account, halt: NonNullable<Account['halt']>): Finding {
  const cause = isXErrorCode(halt.code) ? xErrorCatalog[halt.code].reason : undefined;
  return {
    code: 'sender_halted',
    severity: 'blocking',
    en:
      `Sending is halted on account @${account.handle} (${halt.code}) until a person resumes it.` +
      `${cause ? ` ${cause.en}` : ''} Fix the cause, then resume the account ` +
      `(POST /v1/accounts/${account.id}/resume).`,
    ja:
      `アカウント @${account.handle} の送信は停止中です（${halt.code}）。担当者が再開するまで送信されません。` +
      `${cause?.ja ?? ''}原因を解消してから、アカウントを再開してください` +
      `（POST /v1/accounts/${account.id}/resume）。`,
  };
}

function armedUnknownFinding(account: Account, error: XError): PreflightFinding {
  return {
    code: 'automation_armed_unknown',
    severity: 'warning',
    errorCode: error.code,
    en: `Kuji could not check that X delivers the events of @${account.handle} to its webhook (${error.code}): ${error.reason.en} The check runs again while the campaign runs.`,
    ja: `@${account.handle} のイベントがWebhookに届く状態かをXで確認できませんでした（${error.code}）。${error.reason.ja}キャンペーン実行中にも改めて確認します。`,
  };
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

function failureOf(error: XError): DeliveryFailure {
  return { code: error.code, category: error.category, reason: error.reason, remedy: error.remedy };
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

function failureFromRow(row: {
  errorCode: string | null;
  errorCategory: DeliveryFailure['category'] | null;
  errorReason: LocalizedTextJson | null;
  errorRemedy: LocalizedTextJson | null;
}): DeliveryFailure {
  const code = row.errorCode ?? 'unknown';
  const known = isXErrorCode(code) ? xErrorCatalog[code] : xErrorCatalog.unknown;
  return {
    code,
    category: row.errorCategory ?? known.category,
    reason: row.errorReason ?? known.reason,
    remedy: row.errorRemedy ?? known.remedy,
  };
}

type RehearsalText = { ok: true; text: string } | { ok: false; failure: DeliveryFailure };

type SendOutcome =
  | { kind: 'sent'; dmEventId: string; earlierCopy: boolean }
  | { kind: 'failed'; failure: DeliveryFailure }
  | { kind: 'quota_full'; failure: DeliveryFailure };

export function createCampaignActivities({
  db,
  now = () => new Date(),
  x,
  webhookUrl,
  publicBaseUrl,
}: CampaignActivityDeps) {
  if (webhookUrl !== undefined && !x) {
    throw new Error(
      'createCampaignActivities: a webhookUrl needs the X activities (x) to check it',
    );
  }

  async function requireCampaign(campaignId: string) {
    const campaign = await findCampaignById(db, campaignId);
    if (!campaign) {
      throw ApplicationFailure.create({
        type: 'campaign_missing',
        message: `campaign ${campaignId} does not exist`,
        nonRetryable: true,
      });
    }
    return campaign;
  }

  /** The sender's X health: token valid, not locked, suspended or restricted. */
  async function senderHealth(
    account: Account,
    xApi: CampaignX,
  ): Promise<{ finding?: PreflightFinding; usable: boolean }> {
    try {
      await xApi.xMe({ accountId: account.id });
      return { usable: true };
    } catch (error) {
      const xError = classifiedXError(error);
      if (!xError) throw error;
      if (blocksSender(xError))
        return { finding: senderUnhealthyFinding(account, xError), usable: false };
      // A 5xx or a timeout says nothing about the sender: the send path checks it again.
      return { finding: senderHealthUnknownFinding(account, xError), usable: true };
    }
  }

  async function armedFinding(
    account: Account,
    xApi: CampaignX,
    url: string,
  ): Promise<PreflightFinding | undefined> {
    try {
      const check = await xApi.xArmedCheck({ accountId: account.id, webhookUrl: url });
      if (check.armed) return undefined;
      const problem = check.problem ?? {
        code: 'not_armed',
        en: `X does not deliver the events of @${account.handle} to ${url}.`,
        ja: `@${account.handle} のイベントが ${url} に配信されていません。`,
      };
      return {
        code: 'automation_disarmed',
        severity: 'blocking',
        errorCode: problem.code,
        ja: problem.ja,
        en: problem.en,
      };
    } catch (error) {
      const xError = classifiedXError(error);
      if (!xError) throw error;
      // The app may not read its webhook at all (no Account Activity access): that will not fix
      // itself, and nothing proves events arrive. A 5xx or a timeout only leaves it unknown.
      if (!blocksSender(xError)) return armedUnknownFinding(account, xError);
      return {
        code: 'automation_disarmed',
        severity: 'blocking',
        errorCode: xError.code,
        en: `Kuji cannot verify that X delivers the events of @${account.handle} to ${url} (${xError.code}): ${xError.reason.en} ${xError.remedy.en}`,
        ja: `@${account.handle} のイベントが ${url} に届く状態かを確認できません（${xError.code}）。${xError.reason.ja}${xError.remedy.ja}`,
      };
    }
  }

  /** Test accounts by id; an id X cannot return maps to its classified error. */
  async function lookupTestAccounts(
    account: Account,
    xApi: CampaignX,
    ids: string[],
  ): Promise<Map<string, { user: XUser } | { error: XError }>> {
    const found = new Map<string, { user: XUser } | { error: XError }>();
    for (let start = 0; start < ids.length; start += 100) {
      const chunk = ids.slice(start, start + 100);
      try {
        const { users, errors } = await xApi.xLookupUsers({ accountId: account.id, ids: chunk });
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

  /**
   * Sends one rehearsal DM at most once per round: a row in `deliveries`, a slot in the
   * account's DM quota, and on a retry of the same round the conversation is read before sending.
   */
  async function sendRehearsal(request: {
    id: string;
    campaignId: string;
    account: Account;
    xApi: CampaignX;
    testUserId: string;
    template: RehearsedTemplate;
    round: number;
    text: RehearsalText;
    at: Date;
    dayKey: string;
    refusedSender?: DeliveryFailure;
  }): Promise<SendOutcome> {
    const { id, account, xApi, testUserId, at } = request;
    const existing = await findDelivery(db, id);
    if (existing?.state === 'sent' && existing.xEventId) {
      return { kind: 'sent', dmEventId: existing.xEventId, earlierCopy: false };
    }
    if (existing?.state === 'failed') {
      const failure = failureFromRow(existing);
      return failure.code === 'rehearsal_quota_full'
        ? { kind: 'quota_full', failure }
        : { kind: 'failed', failure };
    }
    await insertDeliveries(db, [
      {
        id,
        campaignId: request.campaignId,
        accountId: account.id,
        xUserId: testUserId,
        kind: 'rehearsal',
        channel: 'dm',
        channelReason: rehearsalChannelReason(request.template, request.round),
        windowDay: request.dayKey,
        body: request.text.ok ? request.text.text : null,
      },
    ]);
    const fail = async (failure: DeliveryFailure): Promise<SendOutcome> => {
      await markDeliveryFailed(db, id, failure);
      return { kind: 'failed', failure };
    };
    if (!request.text.ok) return fail(request.text.failure);
    // The sender was refused on an earlier rehearsal DM: more attempts only add restriction signals.
    if (request.refusedSender) return fail(request.refusedSender);

    const reservation = await reserveQuotaSlot(db, {
      accountId: account.id,
      deliveryId: id,
      dayKey: request.dayKey,
      cap: effectiveDailyCap({ configuredCap: account.dmDailyCap }),
    });
    if (!reservation.reserved) {
      const failure = quotaFullFailure(account, { dayKey: request.dayKey, ...reservation });
      await markDeliveryFailed(db, id, failure);
      return { kind: 'quota_full', failure };
    }
    await markDeliveryReserved(db, id, { windowDay: reservation.dayKey, eta: at });

    const { previousState } = await markDeliverySending(db, id);
    const dm = {
      accountId: account.id,
      participantId: testUserId,
      text: request.text.text,
      notBefore: (existing?.sendingStartedAt ?? at).toISOString(),
      // A row left 'sending' by an earlier attempt of this round may have reached X.
      reconcileFirst: previousState === 'sending',
    };
    try {
      let sent: SendDmResult;
      let earlierCopy = false;
      try {
        sent = await xApi.xSendDm(dm);
      } catch (error) {
        if (classifiedXError(error)?.code !== 'dm_already_said') throw error;
        // X refuses to repeat a text (an unchanged template in a later round): the identical DM
        // already in the conversation is what this test account received, so confirm that one.
        sent = await xApi.xSendDm({
          ...dm,
          notBefore: new Date(0).toISOString(),
          reconcileFirst: true,
        });
        earlierCopy = true;
      }
      await markDeliverySent(db, id, {
        xEventId: sent.dmEventId,
        xConversationId: sent.dmConversationId ?? null,
        sentAt: at,
      });
      return { kind: 'sent', dmEventId: sent.dmEventId, earlierCopy };
    } catch (error) {
      const xError = classifiedXError(error);
      if (!xError) throw error;
      // Only a transient failure may have reached X; any other refusal gives the slot back.
      if (xError.category !== 'transient') {
        await releaseQuotaSlot(db, { accountId: account.id, deliveryId: id });
      }
      return fail(failureOf(xError));
    }
  }

  /**
   * The rehearsal: every DM template the campaign uses, rendered with each test account's own
   * variables and sent for real (nothing prefixed: the point is the real text), then confirmed in
   * the conversation. Replies are not rehearsed: a reply is public, under the brand's name, and
   * self-serve access may reply only where the test account engaged first.
   */
  async function rehearse(input: {
    campaign: Campaign;
    config: CampaignConfig;
    account: Account;
    xApi: CampaignX;
    round: number;
    at: Date;
    /** Test accounts an admin registered for the sender: nobody else gets a rehearsal DM. */
    registeredTestAccounts: ReadonlySet<string>;
  }): Promise<{ results: RehearsalResult[]; findings: PreflightFinding[] }> {
    const { campaign, config, account, xApi, round, at } = input;
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

    const people = await lookupTestAccounts(account, xApi, testUserIds);
    progress('test_accounts_found');
    // Signed with the seed the campaign's real links will carry, so the test account can open its
    // rehearsed {resultUrl}; preflight creates the seed when it is the first to need it.
    const links =
      base === undefined
        ? undefined
        : { base, seed: await ensureCampaignSecretSeed(db, campaign.id) };
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
          const rendered = renderTemplate(template.text, {
            name: `@${user.username}`,
            prize: config.prizes[0]?.name ?? '',
            code: 'REHEARSAL',
            resultUrl: links && resultUrl(links.base, campaign.id, testUserId, links.seed),
          });
          text = rendered.ok
            ? rendered
            : { ok: false, failure: unrenderableFailure(rendered.missing, rendered.unknown) };
        }
        const outcome = await sendRehearsal({
          id: `${campaign.id}:rehearsal:${round}:${template.key}:${testUserId}`,
          campaignId: campaign.id,
          account,
          xApi,
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
        const page = await xApi.xListDmEvents({
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

  return {
    async recordPhase(input: { campaignId: string; phase: CampaignPhase; workflowRunId: string }) {
      await updateCampaignPhase(db, input.campaignId, input.phase, input.workflowRunId);
    },

    /**
     * Checks the stored campaign before anyone may approve it: configuration and policy, the
     * sender account (stored state, then its health at X), the armed check and the rehearsal.
     * Findings, the round and the rehearsal results go to the database.
     */
    async runPreflight(input: { campaignId: string }): Promise<PreflightSummary> {
      const campaign = await findCampaignById(db, input.campaignId);
      if (!campaign) throw new Error(`campaign ${input.campaignId} does not exist`);
      const at = now();
      const findings: PreflightFinding[] = [];
      // Counted from the stored preflight, which is written last: a retry of an unfinished
      // preflight gets the same round, so its rehearsal rows (and DMs) are not repeated.
      const previousRound = (campaign.preflight as Partial<StoredPreflight> | null)?.round;
      const round = (typeof previousRound === 'number' ? previousRound : 0) + 1;

      const parsed = campaignConfigSchema.safeParse(campaign.config);
      const account = await findAccountById(db, campaign.accountId);
      if (parsed.success) {
        findings.push(
          ...policyFindings(
            parsed.data,
            account?.tier === 'enterprise' ? 'enterprise' : 'self_serve',
          ),
        );
        // A keyword DM must enter exactly one campaign of the account.
        const others = await findOtherLiveCampaignsOfAccount(db, campaign.accountId, campaign.id);
        findings.push(
          ...keywordOverlapFindings(
            parsed.data,
            others.flatMap((other) => {
              const config = campaignConfigSchema.safeParse(other.approvedConfig ?? other.config);
              return config.success
                ? [{ id: other.id, name: other.name, config: config.data }]
                : [];
            }),
          ),
        );
      } else {
        for (const issue of parsed.error.issues) {
          findings.push({
            code: 'config_invalid',
            severity: 'blocking',
            path: issue.path.join('.'),
            en: `Configuration is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
            ja: `設定に誤りがあります（${issue.path.join('.') || 'ルート'}）: ${issue.message}`,
          });
        }
      }

      let rehearsal: RehearsalResult[] = [];
      const registeredTestAccounts =
        parsed.success && account
          ? await findRegisteredTestAccountIds(db, account.id, parsed.data.testAccounts)
          : new Set<string>();
      if (parsed.success && account) {
        const unregistered = unregisteredTestAccountsFinding(
          parsed.data.testAccounts,
          registeredTestAccounts,
          account,
        );
        if (unregistered) findings.push(unregistered);
      }
      if (!account) {
        findings.push({
          code: 'account_missing',
          severity: 'blocking',
          en: `Sender account ${campaign.accountId} does not exist.`,
          ja: `送信アカウント ${campaign.accountId} が存在しません。`,
        });
      } else {
        if (account.status !== 'active') {
          findings.push({
            code: 'account_not_active',
            severity: 'blocking',
            en: `Sender account @${account.handle} is ${account.status}; sending is halted until a person resumes it.`,
            ja: `送信アカウント @${account.handle} は「${account.status}」状態です。担当者が再開するまで送信は停止します。`,
          });
        }
        if (!account.linked) {
          findings.push({
            code: 'account_not_linked',
            severity: 'blocking',
            en: `Sender account @${account.handle} has no linked X credentials. Link the account before launch.`,
            ja: `送信アカウント @${account.handle} にXの認証情報が連携されていません。開始前に連携してください。`,
          });
        }
        if (account.halt) findings.push(senderHaltedFinding(account, account.halt));

        // Whether the sender's DMs are open cannot be read through X's API, so it is not checked.
        if (account.linked && x) {
          const health = await senderHealth(account, x);
          heartbeat({ step: 'sender_checked', round });
          if (health.finding) findings.push(health.finding);
          // With a rejected token or a restricted sender every further call fails the same way;
          // the blocking finding already says what to fix.
          if (health.usable) {
            if (webhookUrl !== undefined) {
              const disarmed = await armedFinding(account, x, webhookUrl);
              heartbeat({ step: 'armed_checked', round });
              if (disarmed) findings.push(disarmed);
            }
            // Never send from a halted or inactive account; an invalid configuration has no
            // templates to trust. Their findings block launch, and the next preflight rehearses.
            if (parsed.success && !account.halt && account.status === 'active') {
              const rehearsed = await rehearse({
                campaign,
                config: parsed.data,
                account,
                xApi: x,
                round,
                at,
                registeredTestAccounts,
              });
              rehearsal = rehearsed.results;
              findings.push(...rehearsed.findings);
            }
          }
        }
      }

      const counts = countBySeverity(findings);
      const summary: PreflightSummary = {
        ok: counts.blocking === 0,
        blocking: counts.blocking,
        warnings: counts.warnings,
        checkedAt: at.toISOString(),
        configVersion: campaign.configVersion,
      };
      const stored: StoredPreflight = { ...summary, findings, round, rehearsal };
      await updateCampaignPreflight(db, campaign.id, stored);
      return summary;
    },

    /**
     * Is the automation the running campaign depends on live? Always armed without a webhook:
     * polling alone is a valid setup. X failures leave as classified failures (retried).
     */
    async checkAutomationArmed(input: { campaignId: string }): Promise<AutomationArmedStatus> {
      if (webhookUrl === undefined || !x) {
        return { armed: true, problem: null, checkedAt: now().toISOString() };
      }
      const campaign = await requireCampaign(input.campaignId);
      const check = await x.xArmedCheck({ accountId: campaign.accountId, webhookUrl });
      return {
        armed: check.armed,
        problem: check.problem
          ? { code: check.problem.code, ja: check.problem.ja, en: check.problem.en }
          : null,
        checkedAt: now().toISOString(),
      };
    },

    /**
     * Re-arms the campaign's account (CRC check again, subscribe) and replays the events of
     * [disarmedSince, now) so entries sent while disarmed are not lost. Without a webhook there
     * is nothing to re-arm (polling reconciles): `{ replayJobId: null, subscribed: false }`.
     * webhook_missing / webhook_invalid fail non-retryably: a person must fix the webhook.
     */
    async rearmAutomation(input: {
      campaignId: string;
      disarmedSince: string;
      by: string;
    }): Promise<RearmOutcome> {
      if (webhookUrl === undefined || !x) return { replayJobId: null, subscribed: false };
      const campaign = await requireCampaign(input.campaignId);
      const replayTo = now().toISOString();
      const rearmed = await x.xRearm({
        accountId: campaign.accountId,
        webhookUrl,
        replayFrom: input.disarmedSince,
        replayTo,
      });
      await insertAuditEntry(db, {
        actor: input.by,
        action: 'automation.rearm',
        campaignId: campaign.id,
        subject: campaign.accountId,
        outcome: 'ok',
        details: {
          webhookId: rearmed.webhookId,
          subscribed: rearmed.subscribed,
          replayJobId: rearmed.replayJobId,
          replayFrom: input.disarmedSince,
          replayTo,
        },
      });
      return { replayJobId: rearmed.replayJobId, subscribed: rearmed.subscribed, replayTo };
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
