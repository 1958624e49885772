/**
 * Claims (operators and admins only: the answers are personal data, and the API refuses anyone
 * else): counts by state, each claim with its deadline and answers, and the CSV for Excel.
 */
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime, formatNumber } from '../../format';
import { useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import type { TabProps } from './types';
import { claimStateLabel, claimStateTone } from './words';

const messages = {
  ja: {
    csv: 'CSV をダウンロード（Excel 用）',
    audited: '受け取り情報は個人情報です。閲覧とダウンロードは監査ログに記録されます。',
    participant: '当選者（X ユーザー ID）',
    prize: '賞品',
    state: '状態',
    deadline: '受け取り期限',
    claimedAt: '受け取り・辞退日時',
    replaces: '繰り上げ元',
    answers: '回答',
    purged: '削除済み',
    empty: '受け取りはまだありません。',
    name: '氏名',
    email: 'メール',
    postalAddress: '住所',
    phone: '電話',
  },
  en: {
    csv: 'Download CSV (for Excel)',
    audited: 'Claim answers are personal data; every read and download is audited.',
    participant: 'Winner (X user id)',
    prize: 'Prize',
    state: 'State',
    deadline: 'Deadline',
    claimedAt: 'Claimed or forfeited at',
    replaces: 'Replaces',
    answers: 'Answers',
    purged: 'purged',
    empty: 'No claims yet.',
    name: 'Name',
    email: 'Email',
    postalAddress: 'Address',
    phone: 'Phone',
  },
} as const;

const answerFields = ['name', 'email', 'postalAddress', 'phone'] as const;
const states = ['open', 'claimed', 'forfeited'] as const;

/** Prize names by id from the campaign's configuration (`prizes[].name`). */
function prizeNames(config: unknown): Map<string, string> {
  const names = new Map<string, string>();
  const prizes = (config as { prizes?: unknown } | null)?.prizes;
  if (!Array.isArray(prizes)) return names;
  for (const prize of prizes as { id?: unknown; name?: unknown }[]) {
    if (typeof prize.id === 'string' && typeof prize.name === 'string') {
      names.set(prize.id, prize.name);
    }
  }
  return names;
}

export function ClaimsTab({ id, detail, timeZone }: TabProps) {
  const t = useT(messages);
  const lang = useLang();
  const names = prizeNames(detail.campaign.config);
  const { data, error, loading } = usePolled(
    async () => must(await api.GET('/v1/campaigns/{id}/claims', { params: { path: { id } } })),
    [id],
  );
  const claims = data?.claims ?? [];
  return (
    <div data-tab-panel="claims">
      <div class="page-head">
        <div class="cards claim-counts">
          {states.map((state) => (
            <div class="stat" key={state} data-claims={state}>
              <div class="value">
                {formatNumber(claims.filter((c) => c.state === state).length, lang)}
              </div>
              <div class="label">{claimStateLabel(state, lang)}</div>
            </div>
          ))}
        </div>
        <a
          class="button button-secondary"
          href={`/v1/campaigns/${encodeURIComponent(id)}/claims.csv`}
          download
          data-action="claims-csv"
        >
          {t('csv')}
        </a>
      </div>
      <p class="muted small">{t('audited')}</p>
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : claims.length === 0 ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <Table
          name="claims"
          head={
            <tr>
              <th>{t('participant')}</th>
              <th>{t('prize')}</th>
              <th>{t('state')}</th>
              <th>{t('deadline')}</th>
              <th>{t('claimedAt')}</th>
              <th>{t('answers')}</th>
            </tr>
          }
        >
          {claims.map((claim) => (
            <tr key={claim.xUserId} data-row-id={claim.xUserId} data-state={claim.state}>
              <td>
                <code>{claim.xUserId}</code>
                {claim.replacesXUserId && (
                  <div class="muted small">
                    {t('replaces')}: <code>{claim.replacesXUserId}</code>
                  </div>
                )}
              </td>
              <td>{claim.prizeId ? (names.get(claim.prizeId) ?? claim.prizeId) : '—'}</td>
              <td>
                <Badge tone={claimStateTone(claim.state)}>
                  {claimStateLabel(claim.state, lang)}
                </Badge>
              </td>
              <td>{formatDateTime(claim.deadlineAt, timeZone, lang)}</td>
              <td>{formatDateTime(claim.claimedAt ?? claim.forfeitedAt, timeZone, lang)}</td>
              <td>
                {claim.dataPurgedAt ? (
                  <span class="muted">{t('purged')}</span>
                ) : claim.answers ? (
                  <dl class="answers">
                    {answerFields
                      .filter((field) => claim.answers?.[field])
                      .map((field) => (
                        <div key={field}>
                          <dt>{t(field)}</dt>
                          <dd>{claim.answers?.[field]}</dd>
                        </div>
                      ))}
                  </dl>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
