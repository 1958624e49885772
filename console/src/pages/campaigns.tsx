/** Campaigns: each with its live phase, stops, sender account, counts and next DM window. */
import { api, must, type paths } from '../api/client';
import { Badge } from '../components/Badge';
import { ErrorNote } from '../components/ErrorNote';
import { Empty, Loading } from '../components/Loading';
import { Table } from '../components/Table';
import { formatDateTime, formatNumber } from '../format';
import { useLang, useT } from '../i18n';
import { campaignTimeZone, isFinished, phaseLabel, phaseTone } from '../labels';
import { usePolled } from '../live';
import { useSession } from '../session';

const messages = {
  ja: {
    title: 'キャンペーン',
    new: '新しいキャンペーン',
    name: 'キャンペーン',
    phase: '状態',
    account: '送信アカウント',
    entries: '応募',
    won: '当選',
    sent: '送信済み',
    failed: '失敗',
    nextWindow: '次の DM 送信枠',
    paused: '一時停止中',
    attention: '対応が必要',
    notLive: '状態を取得できません',
    empty: 'キャンペーンはまだありません。',
  },
  en: {
    title: 'Campaigns',
    new: 'New campaign',
    name: 'Campaign',
    phase: 'Phase',
    account: 'Sender account',
    entries: 'Entries',
    won: 'Won',
    sent: 'Sent',
    failed: 'Failed',
    nextWindow: 'Next DM window',
    paused: 'Paused',
    attention: 'Needs attention',
    notLive: 'No live state',
    empty: 'No campaigns yet.',
  },
} as const;

type Detail = { campaign: Campaign; workflow: Workflow };
type Campaign =
  paths['/v1/campaigns/{id}']['get']['responses'][200]['content']['application/json']['campaign'];
type Workflow =
  paths['/v1/campaigns/{id}']['get']['responses'][200]['content']['application/json']['workflow'];

/** A finished campaign's final state, read once: nothing changes there any more. */
const finished = new Map<string, Detail>();

async function loadCampaigns(): Promise<Detail[]> {
  const { campaigns } = must(await api.GET('/v1/campaigns', { params: { query: { limit: 50 } } }));
  // The list holds stored state; the live state (counts, stops) comes from each workflow. A
  // finished campaign's is read once and kept: asking again would make a worker replay its
  // whole history every few seconds for nothing new.
  return Promise.all(
    campaigns.map(async (campaign): Promise<Detail> => {
      if (!campaign.workflowId) return { campaign, workflow: null };
      const known = finished.get(campaign.id);
      if (known) return known;
      const detail = await api.GET('/v1/campaigns/{id}', { params: { path: { id: campaign.id } } });
      const shown = {
        campaign: detail.data?.campaign ?? campaign,
        workflow: detail.data?.workflow ?? null,
      };
      if (detail.data?.workflow?.live && isFinished(shown.campaign.phase)) {
        finished.set(campaign.id, shown);
      }
      return shown;
    }),
  );
}

export default function CampaignsPage() {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const { data, error, loading } = usePolled(loadCampaigns, [], 5000);
  return (
    <section data-page="campaigns">
      <div class="page-head">
        <h1>{t('title')}</h1>
        {can('operate') && (
          <a class="button button-primary" href="/console/campaigns/new" data-action="new-campaign">
            {t('new')}
          </a>
        )}
      </div>
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : !data?.length ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <Table
          name="campaigns"
          head={
            <tr>
              <th>{t('name')}</th>
              <th>{t('phase')}</th>
              <th>{t('account')}</th>
              <th class="num">{t('entries')}</th>
              <th class="num">{t('won')}</th>
              <th class="num">{t('sent')}</th>
              <th class="num">{t('failed')}</th>
              <th>{t('nextWindow')}</th>
            </tr>
          }
        >
          {data.map(({ campaign, workflow }) => {
            const state = workflow?.state;
            const counts = state?.counts;
            return (
              <tr key={campaign.id} data-row-id={campaign.id}>
                <td>
                  <a href={`/console/campaigns/${encodeURIComponent(campaign.id)}`}>
                    {campaign.name}
                  </a>
                  <div class="muted small">{campaign.id}</div>
                </td>
                <td>
                  <Badge tone={phaseTone(campaign.phase)}>{phaseLabel(campaign.phase, lang)}</Badge>{' '}
                  {campaign.paused && <Badge tone="warn">{t('paused')}</Badge>}{' '}
                  {state?.needsAttention && (
                    <Badge tone="danger" title={t('attention')}>
                      {t('attention')}
                    </Badge>
                  )}
                  {workflow && !workflow.live && <div class="muted small">{t('notLive')}</div>}
                </td>
                <td>{campaign.accountId}</td>
                <td class="num">{formatNumber(counts?.entryEvents, lang)}</td>
                <td class="num">{formatNumber(counts?.won, lang)}</td>
                <td class="num">{formatNumber(counts?.sent, lang)}</td>
                <td class="num">{formatNumber(counts?.failed, lang)}</td>
                <td>
                  {state?.nextWindowAt
                    ? formatDateTime(state.nextWindowAt, campaignTimeZone(campaign.config), lang)
                    : '—'}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
