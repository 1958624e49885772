import type { Db } from '../db/client';
import { findAccountById } from '../db/repositories/accounts';
import {
  findCampaignById,
  updateCampaignPhase,
  updateCampaignPreflight,
} from '../db/repositories/campaigns';
import { type CampaignConfig, campaignConfigSchema } from '../domain/campaign-config';
import { checkPremiumCompliance } from '../domain/compliance';
import { type ApiTier, reachabilitySummary } from '../domain/consent';
import { identicalTextRisk } from '../domain/templates';
import { countBySeverity, type Finding } from '../domain/findings';
import type { CampaignPhase } from '../domain/phases';
import type { PreflightSummary } from '../workflows/messages';

export interface CampaignActivityDeps {
  db: Db;
  now?: () => Date;
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

export function createCampaignActivities({ db, now = () => new Date() }: CampaignActivityDeps) {
  return {
    async recordPhase(input: { campaignId: string; phase: CampaignPhase; workflowRunId: string }) {
      await updateCampaignPhase(db, input.campaignId, input.phase, input.workflowRunId);
    },

    /** Checks the stored campaign before anyone may approve it; findings go to the database. */
    async runPreflight(input: { campaignId: string }): Promise<PreflightSummary> {
      const campaign = await findCampaignById(db, input.campaignId);
      if (!campaign) throw new Error(`campaign ${input.campaignId} does not exist`);
      const findings: Finding[] = [];

      const parsed = campaignConfigSchema.safeParse(campaign.config);
      const account = await findAccountById(db, campaign.accountId);
      if (parsed.success) {
        findings.push(
          ...policyFindings(
            parsed.data,
            account?.tier === 'enterprise' ? 'enterprise' : 'self_serve',
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
      }

      const counts = countBySeverity(findings);
      const summary: PreflightSummary = {
        ok: counts.blocking === 0,
        blocking: counts.blocking,
        warnings: counts.warnings,
        checkedAt: now().toISOString(),
      };
      await updateCampaignPreflight(db, campaign.id, { ...summary, findings });
      return summary;
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
