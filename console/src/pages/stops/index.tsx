/**
 * Stops across campaigns (interventions): what stopped, why, what to do about it, and the answers
 * the API offers, as buttons for those who may resolve. Resolved stops on request.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { formatDateTime } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { phaseLabel } from '../../labels';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { type CampaignBrief, loadCampaignIndex } from './campaign-index';
import { ResolveControls } from './resolve';
import {
  blocksLabel,
  type Intervention,
  kindLabel,
  kindTone,
  particulars,
  resolutionLabel,
} from './words';
import './stops.css';

const messages = {
  ja: {
    title: '対応待ち',
    lead: 'キャンペーンが人の判断を待って止まっている箇所です。理由と対処を読み、解決してください。',
    showResolved: '解決済みも表示',
    open: '対応待ち',
    resolved: '解決済み',
    none: '対応待ちはありません。',
    noneAtAll: '停止の記録はありません。',
    campaign: 'キャンペーン',
    account: '送信アカウント',
    opened: '発生',
    openedBy: '起票',
    remedy: '対処',
    resolvedAs: '{by} が {at} に「{how}」で解決',
    readOnly: '閲覧のみの権限です。解決できるのは運用担当・承認者です。',
    noCampaign: 'キャンペーンなし',
    more: '表示は最初の {count} 件までです。',
  },
  en: {
    title: 'Stops',
    lead: 'Where a campaign waits for a person. Read the reason and the remedy, then resolve it.',
    showResolved: 'Show resolved ones too',
    open: 'Open',
    resolved: 'Resolved',
    none: 'Nothing is waiting for a person.',
    noneAtAll: 'No stops recorded.',
    campaign: 'Campaign',
    account: 'Sender account',
    opened: 'Opened',
    openedBy: 'by',
    remedy: 'What to do',
    resolvedAs: 'Resolved by {by} at {at}: {how}',
    readOnly: 'You can read only. Operators and approvers resolve stops.',
    noCampaign: 'No campaign',
    more: 'Showing the first {count} only.',
  },
} as const;

const pageSize = 500;
/** Stops wait for a person: ten seconds is live enough, and spares the API. */
const pollMs = 10_000;

async function loadStops(withResolved: boolean) {
  const [open, resolved] = await Promise.all([
    api.GET('/v1/interventions', { params: { query: { status: 'open', limit: pageSize } } }),
    withResolved
      ? api.GET('/v1/interventions', {
          params: { query: { status: 'resolved', limit: pageSize } },
        })
      : undefined,
  ]);
  const openList = must(open).interventions;
  const resolvedList = resolved ? must(resolved).interventions : [];
  const campaigns = await loadCampaignIndex(
    [...openList, ...resolvedList].flatMap((i) => (i.campaignId ? [i.campaignId] : [])),
  );
  return {
    campaigns,
    open: openList,
    // The API lists oldest first; the latest resolutions matter most.
    resolved: [...resolvedList].sort((a, b) =>
      (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? ''),
    ),
    truncated: openList.length === pageSize || resolvedList.length === pageSize,
  };
}

function StopCard({
  intervention,
  campaign,
  onDone,
}: {
  intervention: Intervention;
  campaign: CampaignBrief | undefined;
  onDone: () => void;
}) {
  const t = useT(messages);
  const lang = useLang();
  const timeZone = campaign?.timeZone;
  return (
    <article
      class={`card stop stop-${intervention.status}`}
      data-row-id={intervention.id}
      data-kind={intervention.kind}
      data-status={intervention.status}
    >
      <header class="stop-head">
        <div class="stop-badges">
          <Badge tone={intervention.status === 'open' ? kindTone(intervention.kind) : 'neutral'}>
            {kindLabel(intervention.kind, lang)}
          </Badge>{' '}
          {intervention.status === 'open' && intervention.blocks !== 'nothing' && (
            <Badge tone="warn">{blocksLabel(intervention.blocks, lang)}</Badge>
          )}
          {intervention.status === 'resolved' && <Badge tone="ok">{t('resolved')}</Badge>}
        </div>
        <div class="stop-when muted small">
          {t('opened')}: {formatDateTime(intervention.openedAt, timeZone, lang)} ({t('openedBy')}{' '}
          {intervention.openedBy})
        </div>
      </header>
      <h3 class="stop-title">{pick(lang, intervention.title)}</h3>
      <dl class="stop-facts">
        <dt>{t('campaign')}</dt>
        <dd>
          {intervention.campaignId ? (
            <>
              <a
                href={`/console/campaigns/${encodeURIComponent(intervention.campaignId)}?tab=stops`}
                data-campaign-id={intervention.campaignId}
              >
                {campaign?.name ?? intervention.campaignId}
              </a>
              {campaign && <span class="muted small"> · {phaseLabel(campaign.phase, lang)}</span>}
            </>
          ) : (
            <span class="muted">{t('noCampaign')}</span>
          )}
        </dd>
        {intervention.accountId && (
          <>
            <dt>{t('account')}</dt>
            <dd>
              <a href="/console/accounts">{intervention.accountId}</a>
            </dd>
          </>
        )}
        {particulars(intervention, lang).map((row) => (
          <Fragment key={row.label}>
            <dt>{row.label}</dt>
            <dd class="stop-detail">{row.value}</dd>
          </Fragment>
        ))}
      </dl>
      <div class="stop-remedy">
        <strong>{t('remedy')}</strong>
        <p>{pick(lang, intervention.remedy)}</p>
      </div>
      {intervention.status === 'resolved' ? (
        <p class="small muted" data-resolution-done={intervention.resolution ?? ''}>
          {t('resolvedAs', {
            by: intervention.resolvedBy ?? '—',
            at: formatDateTime(intervention.resolvedAt, timeZone, lang),
            how: resolutionLabel(intervention.resolution ?? '—', lang),
          })}
        </p>
      ) : (
        <ResolveControls intervention={intervention} campaign={campaign} onDone={onDone} />
      )}
    </article>
  );
}

export default function StopsPage() {
  const t = useT(messages);
  const [withResolved, setWithResolved] = useState(false);
  const { data, error, loading, reload } = usePolled(
    () => loadStops(withResolved),
    [withResolved],
    pollMs,
  );
  const { can } = useSession();
  return (
    <section data-page="stops">
      <div class="page-head">
        <h1>{t('title')}</h1>
        <label class="inline-check">
          <input
            type="checkbox"
            data-filter="resolved"
            checked={withResolved}
            onChange={(e) => setWithResolved((e.target as HTMLInputElement).checked)}
          />
          {t('showResolved')}
        </label>
      </div>
      <p class="muted">{t('lead')}</p>
      {!can('pause') && <p class="notice">{t('readOnly')}</p>}
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : data ? (
        <>
          {data.truncated && <p class="notice">{t('more', { count: pageSize })}</p>}
          <h2>
            {t('open')} <span class="muted">({data.open.length})</span>
          </h2>
          {data.open.length === 0 ? (
            <Empty>{t('none')}</Empty>
          ) : (
            <div class="stop-list" data-table="stops">
              {data.open.map((intervention) => (
                <StopCard
                  key={intervention.id}
                  intervention={intervention}
                  campaign={data.campaigns.get(intervention.campaignId ?? '')}
                  onDone={() => void reload()}
                />
              ))}
            </div>
          )}
          {withResolved && (
            <>
              <h2>
                {t('resolved')} <span class="muted">({data.resolved.length})</span>
              </h2>
              {data.resolved.length === 0 ? (
                <Empty>{t('noneAtAll')}</Empty>
              ) : (
                <div class="stop-list" data-table="resolved-stops">
                  {data.resolved.map((intervention) => (
                    <StopCard
                      key={intervention.id}
                      intervention={intervention}
                      campaign={data.campaigns.get(intervention.campaignId ?? '')}
                      onDone={() => void reload()}
                    />
                  ))}
                </div>
              )}
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
