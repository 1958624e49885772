/**
 * What preflight tells the approver, as findings in Japanese and English: the campaign's policy
 * (景品表示法 caps, reachability under X's rules, identical-text risk) and the sender's state.
 */
import type { Account } from '../../db/repositories/accounts';
import type { CampaignConfig } from '../../domain/campaign-config';
import { checkPremiumCompliance } from '../../domain/compliance';
import { type ApiTier, type CampaignPage, reachabilitySummary } from '../../domain/consent';
import type { Finding } from '../../domain/findings';
import { replyLengthFindings } from '../../domain/post-length';
import { identicalTextRisk } from '../../domain/templates';
import { isXErrorCode, type XError, xErrorCatalog } from '../../domain/x-errors';

/** A finding caused by an X error or an armed-check problem keeps that code beside its own. */
export type PreflightFinding = Finding & { errorCode?: string };

/**
 * What the approver must see before launch: 景品表示法 caps for the declared premium kind,
 * whether winners can be reached on a channel X's rules allow for their consent (or told on the
 * campaign page), replies X would refuse as too long, and templates that would send the same text to many people
 * (bursts of identical DMs get accounts restricted).
 */
export function policyFindings(
  config: CampaignConfig,
  tier: ApiTier,
  page: CampaignPage,
): Finding[] {
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
    ...reachabilitySummary(config, tier, page).findings,
    ...replyLengthFindings(config),
    ...templates
      .map((t) => identicalTextRisk(t, recipients))
      .filter((f): f is Finding => f !== null),
  ];
}

/** Nothing will succeed for this sender until a person acts (re-link, unlock, appeal, top up). */
export function blocksSender(error: XError): boolean {
  return error.haltsAccount || error.category === 'auth' || error.category === 'sender_restricted';
}

export function senderUnhealthyFinding(account: Account, error: XError): PreflightFinding {
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

export function senderHealthUnknownFinding(account: Account, error: XError): PreflightFinding {
  return {
    code: 'sender_health_unknown',
    severity: 'warning',
    errorCode: error.code,
    en: `Kuji could not check sender account @${account.handle} with X (${error.code}): ${error.reason.en} Its token and restrictions are checked again on every send.`,
    ja: `送信アカウント @${account.handle} の状態をXで確認できませんでした（${error.code}）。${error.reason.ja}トークンと制限の有無は送信のたびに改めて確認されます。`,
  };
}

export function senderHaltedFinding(account: Account, halt: NonNullable<Account['halt']>): Finding {
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

export function armedUnknownFinding(account: Account, error: XError): PreflightFinding {
  return {
    code: 'automation_armed_unknown',
    severity: 'warning',
    errorCode: error.code,
    en: `Kuji could not check that X delivers the events of @${account.handle} to its webhook (${error.code}): ${error.reason.en} The check runs again while the campaign runs.`,
    ja: `@${account.handle} のイベントがWebhookに届く状態かをXで確認できませんでした（${error.code}）。${error.reason.ja}キャンペーン実行中にも改めて確認します。`,
  };
}
