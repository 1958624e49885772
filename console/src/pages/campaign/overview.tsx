/**
 * Overview: the funnel, the queue and next DM window (campaign timezone), the halt and open
 * stops, claims counts, the links (Temporal Web UI, report, approval, public page) and the
 * actions the reader's role allows.
 */
import { api, must } from '../../api/client';
import { formatDateTime, formatNumber } from '../../format';
import { useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { CampaignActions, isRunning } from './actions';
import { automationProblemLabel } from './automation-problems';
import { Funnel } from './funnel';
import { MisdeliveryForm } from './misdelivery';
import { HaltNote, OpenStops } from './stops';
import type { TabProps } from './types';

const messages = {
  ja: {
    queue: '送信待ち',
    queueLength: '送信待ちの件数',
    queueEtas: '受信者ごとの送信予定を見る',
    nextWindow: '次の DM 送信枠',
    todayLeft: '今日の DM 枠: 残り {remaining} / {cap} 通（送信アカウント全体）',
    claims: '賞品の受け取り',
    claimOpen: '受け取り待ち',
    claimed: '受け取り済み',
    forfeited: '辞退・期限切れ',
    promoted: '補欠の繰り上げ',
    nextDeadline: '次の受け取り期限',
    links: 'リンク',
    webUi: 'Temporal Web UI でワークフローを見る',
    noWebUi: 'ワークフローはまだ開始されていません',
    noWebUiUrl: 'Temporal Web UI の URL が設定されていません（TEMPORAL_UI_URL）',
    report: '分析レポート',
    approval: '承認ページ',
    awaiting: 'このキャンペーンは承認待ちです。作成者以外の承認者が承認すると始まります。',
    publicPage: '参加者向けページ',
    actions: '操作',
    disarmed: '自動化が止まっています',
    refused: '承認を見送った人',
  },
  en: {
    queue: 'Queue',
    queueLength: 'Waiting to be sent',
    queueEtas: 'Each recipient’s ETA',
    nextWindow: 'Next DM window',
    todayLeft: 'Today’s DM quota: {remaining} of {cap} left (whole sender account)',
    claims: 'Prize claims',
    claimOpen: 'Open',
    claimed: 'Claimed',
    forfeited: 'Forfeited',
    promoted: 'Alternates promoted',
    nextDeadline: 'Next claim deadline',
    links: 'Links',
    webUi: 'Open the workflow in the Temporal Web UI',
    noWebUi: 'The workflow has not been started',
    noWebUiUrl: 'No Temporal Web UI address is configured (TEMPORAL_UI_URL)',
    report: 'Report',
    approval: 'Approval page',
    awaiting:
      'This campaign awaits approval: it starts once an approver other than its author approves it.',
    publicPage: 'Participants’ page',
    actions: 'Actions',
    disarmed: 'Automation is disarmed',
    refused: 'Approval refused by',
  },
} as const;

/** Nothing has been sent yet in these phases: no misdelivery to report. */
const beforeStart = new Set(['draft', 'preflight', 'awaiting_approval', 'scheduled']);

export function OverviewTab({ id, detail, timeZone, reload }: TabProps) {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const { campaign, workflow } = detail;
  const state = workflow?.state ?? null;
  const claims = state?.claims ?? null;
  const encoded = encodeURIComponent(id);
  const acts = isRunning(campaign) && (can('pause') || can('operate'));
  // The sender account's quota today (shared by its campaigns): when the next window opens while
  // today's is full, even before the workflow has gone to sleep for it.
  const { data: quota } = usePolled(
    async () =>
      must(
        await api.GET('/v1/campaigns/{id}/deliveries', {
          params: { path: { id }, query: { state: 'queued', limit: 1, offset: 0 } },
        }),
      ).quota,
    [id],
  );
  const nextWindow = state?.nextWindowAt ?? quota?.nextWindowAt ?? null;

  return (
    <div class="campaign-overview" data-tab-panel="overview">
      {campaign.phase === 'awaiting_approval' && (
        <p class="notice" data-awaiting-approval>
          {t('awaiting')} <a href={`/console/approvals/${encoded}`}>{t('approval')} →</a>
        </p>
      )}
      {state?.halt && <HaltNote id={id} halt={state.halt} />}
      {state?.automation && !state.automation.armed && (
        <p class="error-note" data-disarmed data-problem={state.automation.problem ?? ''}>
          <strong>{t('disarmed')}</strong>
          {state.automation.problem && (
            <>: {automationProblemLabel(state.automation.problem, lang)}</>
          )}
        </p>
      )}
      {acts && (
        <section class="campaign-actions">
          <h2>{t('actions')}</h2>
          <CampaignActions campaign={campaign} reload={reload} />
          {can('pause') && !beforeStart.has(campaign.phase) && (
            <MisdeliveryForm id={id} onDone={() => void reload()} />
          )}
        </section>
      )}

      <div class="overview-grid">
        <section class="card">
          <Funnel counts={state?.counts} />
        </section>
        <section class="card" data-section="queue">
          <h2>{t('queue')}</h2>
          <div class="cards">
            <div class="stat">
              <div class="value" data-queue-length={state?.queueLength ?? ''}>
                {formatNumber(state?.queueLength, lang)}
              </div>
              <div class="label">{t('queueLength')}</div>
            </div>
            <div class="stat">
              <div class="value value-small" data-next-window={nextWindow ?? ''}>
                {formatDateTime(nextWindow, timeZone, lang)}
              </div>
              <div class="label">{t('nextWindow')}</div>
              {quota && (
                <div class="muted small" data-quota-remaining={quota.remaining}>
                  {t('todayLeft', {
                    remaining: formatNumber(quota.remaining, lang),
                    cap: formatNumber(quota.cap, lang),
                  })}
                </div>
              )}
            </div>
          </div>
          {(state?.queueLength ?? 0) > 0 && (
            <p>
              <a
                href={`/console/campaigns/${encoded}?tab=deliveries&state=queued`}
                data-link="queue"
              >
                {t('queueEtas')} →
              </a>
            </p>
          )}
        </section>
      </div>

      {claims && (
        <section data-section="claims">
          <h2>{t('claims')}</h2>
          <div class="cards">
            {(
              [
                ['claimOpen', claims.open],
                ['claimed', claims.claimed],
                ['forfeited', claims.forfeited],
                ['promoted', claims.promoted],
              ] as const
            ).map(([key, value]) => (
              <div class="stat" key={key} data-claims={key}>
                <div class="value">{formatNumber(value, lang)}</div>
                <div class="label">{t(key)}</div>
              </div>
            ))}
            <div class="stat">
              <div class="value value-small">
                {formatDateTime(claims.nextDeadlineAt, timeZone, lang)}
              </div>
              <div class="label">{t('nextDeadline')}</div>
            </div>
          </div>
        </section>
      )}

      <OpenStops id={id} timeZone={timeZone} />

      {state && state.refusedApprovals.length > 0 && (
        <p class="muted small">
          {t('refused')}: {state.refusedApprovals.map((r) => `${r.by} (${r.reason})`).join(', ')}
        </p>
      )}

      <section data-section="links">
        <h2>{t('links')}</h2>
        <ul class="link-list">
          <li>
            {campaign.links.webUi ? (
              <a
                href={campaign.links.webUi}
                target="_blank"
                rel="noopener noreferrer"
                data-link="web-ui"
              >
                {t('webUi')} ↗
              </a>
            ) : (
              <span class="muted" data-link="web-ui-missing">
                {campaign.workflowId ? t('noWebUiUrl') : t('noWebUi')}
              </span>
            )}
          </li>
          <li>
            <a href={`/console/campaigns/${encoded}/report`} data-link="report">
              {t('report')}
            </a>
          </li>
          {campaign.phase === 'awaiting_approval' && (
            <li>
              <a href={`/console/approvals/${encoded}`} data-link="approval">
                {t('approval')}
              </a>
            </li>
          )}
          <li>
            <a href={`/c/${encoded}`} target="_blank" rel="noopener noreferrer" data-link="public">
              {t('publicPage')} ↗
            </a>
          </li>
        </ul>
      </section>
    </div>
  );
}
