/**
 * Campaign (/console/campaigns/:id): one campaign, live. The header shows its phase and stops;
 * the tabs (`?tab=`) show the overview with its actions, the deliveries with their resend, the
 * entries, the draw record and, where winners claim, the claims.
 */
import { useLocation, useRoute } from 'preact-iso';
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Loading } from '../../components/Loading';
import { Tabs } from '../../components/Tabs';
import { pick, useLang, useT } from '../../i18n';
import { campaignTimeZone, isFinished, phaseLabel, phaseTone } from '../../labels';
import { defaultPollMs, usePolled } from '../../live';
import { useSession } from '../../session';
import { ClaimsTab } from './claims';
import { DeliveriesTab } from './deliveries';
import { DrawTab } from './draw';
import { EntriesTab } from './entries';
import { OverviewTab } from './overview';
import { hasClaims, type TabProps } from './types';
import './campaign.css';

const messages = {
  ja: {
    back: '← キャンペーン一覧',
    overview: '概要',
    deliveries: '配信',
    entries: '応募者',
    draw: '抽選記録',
    claims: '受け取り',
    paused: '一時停止中',
    attention: '対応が必要',
    notLive:
      'ワークフローから最新の状態を取得できませんでした。保存されている状態を表示しています。',
    account: '送信アカウント',
    timeZone: 'タイムゾーン',
  },
  en: {
    back: '← Campaigns',
    overview: 'Overview',
    deliveries: 'Deliveries',
    entries: 'Entries',
    draw: 'Draw',
    claims: 'Claims',
    paused: 'Paused',
    attention: 'Needs attention',
    notLive: 'The workflow did not answer; showing the stored state.',
    account: 'Sender account',
    timeZone: 'Time zone',
  },
} as const;

type TabId = 'overview' | 'deliveries' | 'entries' | 'draw' | 'claims';

export default function CampaignPage() {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const { params } = useRoute();
  const { query } = useLocation();
  const id = params.id ?? '';
  const { data, error, loading, reload } = usePolled(
    async () => must(await api.GET('/v1/campaigns/{id}', { params: { path: { id } } })),
    [id],
    defaultPollMs,
    // A finished campaign changes no more: stop asking its workflow.
    (detail) => isFinished(detail.campaign.phase),
  );

  if (!data) {
    return (
      <section data-page="campaign">
        <a href="/console/campaigns">{t('back')}</a>
        <ErrorNote error={error} />
        {loading && <Loading />}
      </section>
    );
  }

  const { campaign, workflow } = data;
  const state = workflow?.state ?? null;
  const timeZone = campaignTimeZone(campaign.config);
  // Claims hold personal answers: only those the API lets read them get the tab.
  const claimsTab = hasClaims(data) && can('operate');
  const tabs: { id: TabId; label: string }[] = [
    { id: 'overview', label: t('overview') },
    { id: 'deliveries', label: t('deliveries') },
    { id: 'entries', label: t('entries') },
    { id: 'draw', label: t('draw') },
    ...(claimsTab ? [{ id: 'claims' as const, label: t('claims') }] : []),
  ];
  const asked = query.tab as TabId | undefined;
  const current: TabId = tabs.some((tab) => tab.id === asked) ? (asked as TabId) : 'overview';
  const props: TabProps = { id, detail: data, timeZone, reload };

  return (
    <section data-page="campaign" data-campaign-id={campaign.id} data-phase={campaign.phase}>
      <a href="/console/campaigns" class="small">
        {t('back')}
      </a>
      <div class="page-head campaign-head">
        <div>
          <h1>{campaign.name}</h1>
          <div class="muted small">
            <code>{campaign.id}</code> · {t('account')}: {campaign.accountId}
            {timeZone && (
              <>
                {' '}
                · {t('timeZone')}: {timeZone}
              </>
            )}
          </div>
        </div>
        <div class="campaign-badges">
          <Badge tone={phaseTone(campaign.phase)}>{phaseLabel(campaign.phase, lang)}</Badge>
          {campaign.paused && (
            <span data-badge="paused">
              <Badge tone="warn">{t('paused')}</Badge>
            </span>
          )}
          {state?.needsAttention && (
            <span data-badge="needs-attention">
              <Badge tone="danger">{t('attention')}</Badge>
            </span>
          )}
        </div>
      </div>
      <ErrorNote error={error} />
      {workflow && !workflow.live && (
        <p class="notice" data-live="false">
          {t('notLive')} {workflow.liveError && pick(lang, workflow.liveError.reason)}
        </p>
      )}
      <Tabs tabs={tabs} current={current} />
      {current === 'overview' && <OverviewTab {...props} />}
      {current === 'deliveries' && <DeliveriesTab {...props} />}
      {current === 'entries' && <EntriesTab {...props} />}
      {current === 'draw' && <DrawTab {...props} />}
      {current === 'claims' && <ClaimsTab {...props} />}
    </section>
  );
}
