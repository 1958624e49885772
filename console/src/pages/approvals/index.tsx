/** Approvals: the campaigns waiting for an approver, across campaigns, with their preflight. */
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { campaignTimeZone, phaseLabel, phaseTone } from '../../labels';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { messages } from './messages';
import { readPreflight, type StoredPreflight } from './preflight-data';
import './approvals.css';

async function loadWaiting() {
  const list = async (phase: 'awaiting_approval' | 'preflight') =>
    must(await api.GET('/v1/campaigns', { params: { query: { phase, limit: 200 } } })).campaigns;
  const [waiting, checking] = await Promise.all([list('awaiting_approval'), list('preflight')]);
  return [...waiting, ...checking];
}

export function PreflightBadges({ preflight }: { preflight: StoredPreflight | null }) {
  const t = useT(messages);
  if (!preflight) return <Badge>{t('notRun')}</Badge>;
  return (
    <span class="badges">
      {preflight.blocking > 0 && (
        <Badge tone="danger">{t('blocking', { count: preflight.blocking })}</Badge>
      )}
      {preflight.warnings > 0 && (
        <Badge tone="warn">{t('warnings', { count: preflight.warnings })}</Badge>
      )}
      {preflight.blocking === 0 && preflight.warnings === 0 && (
        <Badge tone="ok">{t('clean')}</Badge>
      )}
    </span>
  );
}

export default function ApprovalsPage() {
  const t = useT(messages);
  const lang = useLang();
  const { principal } = useSession();
  const { data, error, loading } = usePolled(loadWaiting, [], 5000);
  return (
    <section data-page="approvals">
      <div class="page-head">
        <h1>{t('title')}</h1>
      </div>
      <p class="muted">{t('intro')}</p>
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : !data?.length ? (
        <Empty>{t('emptyWaiting')}</Empty>
      ) : (
        <Table
          name="approvals"
          head={
            <tr>
              <th>{t('campaign')}</th>
              <th>{t('phase')}</th>
              <th>{t('preflight')}</th>
              <th>{t('version')}</th>
              <th>{t('author')}</th>
              <th>{t('updated')}</th>
            </tr>
          }
        >
          {data.map((campaign) => {
            const href = `/console/approvals/${encodeURIComponent(campaign.id)}`;
            const mine = principal?.id === campaign.author;
            return (
              <tr key={campaign.id} data-row-id={campaign.id}>
                <td class="approval-name">
                  <a href={href} data-link="review">
                    {campaign.name}
                  </a>
                  <div class="muted small">
                    {campaign.id} · {campaign.accountId}
                  </div>
                </td>
                <td>
                  <Badge tone={phaseTone(campaign.phase)}>{phaseLabel(campaign.phase, lang)}</Badge>
                </td>
                <td>
                  <PreflightBadges preflight={readPreflight(campaign.preflight)} />
                </td>
                <td>
                  {campaign.approvedConfigVersion === null
                    ? t('firstApproval')
                    : t('changedAfterApproval', {
                        approved: campaign.approvedConfigVersion,
                        current: campaign.configVersion,
                      })}
                </td>
                <td>
                  <code>{campaign.author}</code>
                  {mine && <div class="muted small">{t('you')}</div>}
                </td>
                <td>
                  {formatDateTime(campaign.updatedAt, campaignTimeZone(campaign.config), lang)}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </section>
  );
}
