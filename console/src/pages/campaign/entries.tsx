/**
 * Entries: the participants a page at a time (by X user id), with their eligibility and its
 * reasons in the reader's language, consent basis, outcome and prize.
 */
import { useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import type { Outcome, TabProps } from './types';
import { consentLabel, outcomeLabel, outcomeOrder, outcomeTone } from './words';

const pageSize = 50;

const messages = {
  ja: {
    participant: '参加者',
    consent: '連絡の根拠',
    eligible: '応募条件',
    yes: '満たす',
    no: '満たさない',
    pending: '判定前',
    reasons: '理由',
    outcome: '結果',
    prize: '賞品',
    firstSeen: '最初の応募',
    all: 'すべて',
    empty: '応募はまだありません。',
    previous: '← 前へ',
    next: '次へ →',
    pageNo: '{page} ページ目',
  },
  en: {
    participant: 'Participant',
    consent: 'Consent basis',
    eligible: 'Eligibility',
    yes: 'Eligible',
    no: 'Not eligible',
    pending: 'Not judged yet',
    reasons: 'Reasons',
    outcome: 'Outcome',
    prize: 'Prize',
    firstSeen: 'First seen',
    all: 'All',
    empty: 'No entries yet.',
    previous: '← Previous',
    next: 'Next →',
    pageNo: 'Page {page}',
  },
} as const;

type EligibleFilter = '' | 'true' | 'false';

export function EntriesTab({ id, timeZone }: TabProps) {
  const t = useT(messages);
  const lang = useLang();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [eligible, setEligible] = useState<EligibleFilter>('');
  // Cursors of the pages seen so far: the last one is the page shown.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors[cursors.length - 1];

  const { data, error, loading } = usePolled(
    async () =>
      must(
        await api.GET('/v1/campaigns/{id}/entries', {
          params: {
            path: { id },
            query: {
              limit: pageSize,
              ...(outcome ? { outcome } : {}),
              ...(eligible ? { eligible } : {}),
              ...(after ? { after } : {}),
            },
          },
        }),
      ),
    [id, outcome, eligible, after],
  );

  const restart = () => setCursors([undefined]);

  return (
    <div data-tab-panel="entries">
      <div class="filters">
        <label>
          {t('outcome')}
          <select
            name="outcome"
            value={outcome}
            onChange={(event) => {
              setOutcome(event.currentTarget.value as Outcome | '');
              restart();
            }}
          >
            <option value="">{t('all')}</option>
            {outcomeOrder.map((name) => (
              <option key={name} value={name}>
                {outcomeLabel(name, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('eligible')}
          <select
            name="eligible"
            value={eligible}
            onChange={(event) => {
              setEligible(event.currentTarget.value as EligibleFilter);
              restart();
            }}
          >
            <option value="">{t('all')}</option>
            <option value="true">{t('yes')}</option>
            <option value="false">{t('no')}</option>
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : !data?.entries.length ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <Table
          name="entries"
          head={
            <tr>
              <th>{t('participant')}</th>
              <th>{t('eligible')}</th>
              <th>{t('reasons')}</th>
              <th>{t('outcome')}</th>
              <th>{t('prize')}</th>
              <th>{t('consent')}</th>
              <th>{t('firstSeen')}</th>
            </tr>
          }
        >
          {data.entries.map((entry) => (
            <tr key={entry.xUserId} data-row-id={entry.xUserId} data-outcome={entry.outcome}>
              <td>
                {entry.username ? `@${entry.username}` : '—'}
                <div class="muted small">
                  <code>{entry.xUserId}</code>
                </div>
              </td>
              <td>
                {entry.eligible === null ? (
                  <Badge>{t('pending')}</Badge>
                ) : entry.eligible ? (
                  <Badge tone="ok">{t('yes')}</Badge>
                ) : (
                  <Badge tone="warn">{t('no')}</Badge>
                )}
              </td>
              <td data-reasons={entry.reasons.map((r) => r.code).join(' ')}>
                {entry.reasons.length === 0 ? (
                  <span class="muted">—</span>
                ) : (
                  <ul class="plain">
                    {entry.reasons.map((reason) => (
                      <li key={reason.code} title={reason.code}>
                        {pick(lang, reason)}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <Badge tone={outcomeTone(entry.outcome)}>{outcomeLabel(entry.outcome, lang)}</Badge>
              </td>
              <td>
                {entry.prize ? (
                  <>
                    {entry.prize.name ?? entry.prize.id}
                    {entry.prize.code && (
                      <div class="muted small">
                        <code>{entry.prize.code}</code>
                      </div>
                    )}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>{consentLabel(entry.consentBasis, lang)}</td>
              <td>{formatDateTime(entry.firstSeenAt, timeZone, lang)}</td>
            </tr>
          ))}
        </Table>
      )}
      {data && (cursors.length > 1 || data.nextAfter) && (
        <div class="pager">
          <button
            type="button"
            class="button button-secondary"
            data-pager="previous"
            disabled={cursors.length === 1}
            onClick={() => setCursors((now) => now.slice(0, -1))}
          >
            {t('previous')}
          </button>
          <span class="muted">{t('pageNo', { page: cursors.length })}</span>
          <button
            type="button"
            class="button button-secondary"
            data-pager="next"
            disabled={!data.nextAfter}
            onClick={() => {
              const nextAfter = data.nextAfter;
              if (nextAfter) setCursors((now) => [...now, nextAfter]);
            }}
          >
            {t('next')}
          </button>
        </div>
      )}
    </div>
  );
}
