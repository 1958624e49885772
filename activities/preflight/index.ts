/**
 * Preflight, before anyone may approve a campaign: configuration and policy, the sender account
 * (stored state, then its health at X), the "armed" check and the rehearsal that sends the real
 * templates to test accounts. Findings, the round and the rehearsal results go to the database;
 * the workflow sees only the summary.
 */
import { loadXPrices } from '../../config/x-prices';
import type { Db } from '../../db/client';
import { findAccountById } from '../../db/repositories/accounts';
import {
  findCampaignById,
  findOtherLiveCampaignsOfAccount,
  updateCampaignPreflight,
} from '../../db/repositories/campaigns';
import { findRegisteredTestAccountIds } from '../../db/repositories/test-accounts';
import { campaignConfigSchema } from '../../domain/campaign-config';
import { countBySeverity } from '../../domain/findings';
import { keywordOverlapFindings } from '../../domain/keyword-routing';
import { unregisteredTestAccountsFinding } from '../../domain/test-accounts';
import type { XPriceTable } from '../../domain/x-cost';
import { estimateCampaignCost, xCostFinding } from '../../domain/x-cost-estimate';
import type { PreflightSummary } from '../../workflows/messages';
import { createSendPipeline } from '../delivery/send-pipeline';
import type { XAccess } from '../x-access';
import { type PreflightFinding, policyFindings, senderHaltedFinding } from './findings';
import { heartbeat } from './progress';
import { createRehearsal, type RehearsalResult } from './rehearsal';
import { armedFinding, senderHealth } from './sender-checks';

export type { PreflightFinding } from './findings';
export { policyFindings } from './findings';
export type { PreflightProgress } from './progress';
export type { RehearsalResult, RehearsedTemplate } from './rehearsal';

/** The X calls of preflight; activities/index.ts passes the real ones. */
export type PreflightX = Pick<
  XAccess,
  'xMe' | 'xArmedCheck' | 'xLookupUsers' | 'xSendDm' | 'xListDmEvents'
>;

export interface PreflightDeps {
  db: Db;
  /** Wall time: when preflight checked, when X accepted a rehearsal DM. */
  now?: () => Date;
  /** Without it preflight checks only what is stored (no health check, armed check or rehearsal). */
  x?: PreflightX;
  /**
   * Where X delivers this deployment's events (`${PUBLIC_BASE_URL}/v1/webhooks/x`), set only when
   * the deployment has a webhook. Unset, Kuji runs on polling alone and is always armed.
   */
  webhookUrl?: string;
  /** Base of participants' personal result links, used in the rehearsed templates. */
  publicBaseUrl?: string;
  /** X's prices for the cost estimate; default config/x-prices.ts (KUJI_X_PRICES). */
  xPrices?: XPriceTable;
}

/** What runPreflight stores in `campaigns.preflight`; the workflow sees only the summary. */
export interface StoredPreflight extends PreflightSummary {
  findings: PreflightFinding[];
  /** Preflights run so far for the campaign, this one included; rehearsal delivery ids carry it. */
  round: number;
  rehearsal: RehearsalResult[];
}

export function createPreflightActivities({
  db,
  now = () => new Date(),
  x,
  webhookUrl,
  publicBaseUrl,
  xPrices = loadXPrices(),
}: PreflightDeps) {
  if (webhookUrl !== undefined && !x) {
    throw new Error('createPreflightActivities: a webhookUrl needs X access (x) to check it');
  }
  const rehearsal = x
    ? createRehearsal({
        db,
        pipeline: createSendPipeline({ db, x: { xSendDm: x.xSendDm }, now }),
        publicBaseUrl,
      })
    : undefined;

  return {
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
            // Where winners told on the result page see it (the finding names the URL).
            { campaignId: campaign.id, ...(publicBaseUrl ? { publicBaseUrl } : {}) },
          ),
          // What the campaign's X calls will cost, against its budget (docs/x-costs.md).
          xCostFinding(estimateCampaignCost(parsed.data, xPrices), xPrices),
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

      let rehearsed: RehearsalResult[] = [];
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
        if (account.linked && x && rehearsal) {
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
              const outcome = await rehearsal.rehearse({
                campaign,
                config: parsed.data,
                account,
                x,
                round,
                at,
                registeredTestAccounts,
              });
              rehearsed = outcome.results;
              findings.push(...outcome.findings);
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
      const stored: StoredPreflight = { ...summary, findings, round, rehearsal: rehearsed };
      await updateCampaignPreflight(db, campaign.id, stored);
      return summary;
    },
  };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
