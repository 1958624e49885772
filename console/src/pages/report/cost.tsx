/**
 * The campaign's X API cost: Kuji's own X calls per kind priced from X's published pay-per-use
 * table (GET /v1/campaigns/{id}/costs, live; the stored report keeps the figure of its end),
 * against the budget when there is one, beside preflight's estimate.
 */
import { api, must, type paths } from '../../api/client';
import { Empty } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatNumber, formatUsd } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { priceSourceHref } from './price-source';

export type Costs =
  paths['/v1/campaigns/{id}/costs']['get']['responses'][200]['content']['application/json'];

export async function loadCosts(id: string): Promise<Costs> {
  return must(await api.GET('/v1/campaigns/{id}/costs', { params: { path: { id } } }));
}

const messages = {
  ja: {
    kind: '呼び出しの種類',
    units: '数',
    perResource: '件（取得したデータ）',
    perRequest: '回（受け付けられた送信）',
    unit: '単価',
    usd: '費用',
    total: '合計',
    budget: '予算',
    remaining: '予算の残り',
    noBudget: '予算は設定されていません。',
    estimate:
      '事前チェックの見積もり: {usd}（応募 {entries} 件、当選 {winners} 件、メッセージ {messages} 通）',
    assumed: '応募数の見込みが設定にないため、当選数で見積もっています。',
    overBudget: '見積もりが予算を超えています。',
    prices: 'Xの従量課金の価格表（{date} 時点）',
    source: '出典: {source}',
    accountWide: 'アカウント全体の読み取り（予算には数えません）: {usd}',
    none: 'X API の呼び出しはまだありません。',
  },
  en: {
    kind: 'Kind of call',
    units: 'Units',
    perResource: 'resources returned',
    perRequest: 'requests accepted',
    unit: 'Unit price',
    usd: 'Cost',
    total: 'Total',
    budget: 'Budget',
    remaining: 'Budget left',
    noBudget: 'No budget is set.',
    estimate:
      'Preflight estimate: {usd} ({entries} entries, {winners} winners, {messages} messages)',
    assumed: 'The configuration names no expected entries: the winners stood in for them.',
    overBudget: 'The estimate is over the budget.',
    prices: 'X’s pay-per-use prices as read on {date}',
    source: 'source: {source}',
    accountWide: 'Account-wide reads (not counted against the budget): {usd}',
    none: 'No X API calls counted yet.',
  },
} as const;

export function CostSection({ costs }: { costs: Costs }) {
  const t = useT(messages);
  const lang = useLang();
  const lines = costs.lines.filter((line) => line.units > 0);
  const accountWideLines = costs.accountWide.lines.filter((line) => line.units > 0);
  const sourceHref = priceSourceHref(costs.prices.source);
  return (
    <div class="cost" data-cost-total={costs.totalUsd}>
      <div class="cards">
        <div class="stat">
          <div class="label">{t('total')}</div>
          <div class="value">{formatUsd(costs.totalUsd, lang)}</div>
        </div>
        {costs.budgetUsd !== null && (
          <>
            <div class="stat">
              <div class="label">{t('budget')}</div>
              <div class="value">{formatUsd(costs.budgetUsd, lang)}</div>
            </div>
            <div class="stat">
              <div class="label">{t('remaining')}</div>
              <div class="value">{formatUsd(costs.remainingUsd, lang)}</div>
            </div>
          </>
        )}
      </div>
      {costs.budgetUsd === null && <p class="muted small">{t('noBudget')}</p>}
      {lines.length === 0 ? (
        <Empty>{t('none')}</Empty>
      ) : (
        <Table
          name="costs"
          head={
            <tr>
              <th>{t('kind')}</th>
              <th class="num">{t('units')}</th>
              <th class="num">{t('unit')}</th>
              <th class="num">{t('usd')}</th>
            </tr>
          }
        >
          {lines.map((line) => (
            <tr key={line.kind} data-row-id={line.kind}>
              <td>{pick(lang, line.label)}</td>
              <td class="num">
                {formatNumber(line.units, lang)}{' '}
                <span class="muted small">
                  {line.per === 'resource' ? t('perResource') : t('perRequest')}
                </span>
              </td>
              <td class="num">{formatUsd(line.unitUsd, lang)}</td>
              <td class="num">{formatUsd(line.usd, lang)}</td>
            </tr>
          ))}
        </Table>
      )}
      {costs.estimate && (
        <p class="small">
          {t('estimate', {
            usd: formatUsd(costs.estimate.totalUsd, lang),
            entries: formatNumber(costs.estimate.expectedEntries, lang),
            winners: formatNumber(costs.estimate.winners, lang),
            messages: formatNumber(costs.estimate.messages, lang),
          })}{' '}
          {costs.estimate.entriesAssumed && <span class="muted">{t('assumed')}</span>}{' '}
          {costs.estimate.overBudget && <strong class="danger-text">{t('overBudget')}</strong>}
        </p>
      )}
      {accountWideLines.length > 0 && (
        <div class="small" data-cost-account-wide={costs.accountWide.totalUsd}>
          <p>
            {t('accountWide', { usd: formatUsd(costs.accountWide.totalUsd, lang) })}{' '}
            <span class="muted">
              (
              {accountWideLines
                .map((line) => `${pick(lang, line.label)} ${formatNumber(line.units, lang)}`)
                .join(', ')}
              )
            </span>
          </p>
          <p class="muted">{pick(lang, costs.accountWide.note)}</p>
        </div>
      )}
      <p class="muted small">
        {sourceHref ? (
          <a href={sourceHref} target="_blank" rel="noopener noreferrer">
            {t('prices', { date: costs.prices.readOn })}
          </a>
        ) : (
          <>
            {t('prices', { date: costs.prices.readOn })} ·{' '}
            {t('source', { source: costs.prices.source })}
          </>
        )}
      </p>
    </div>
  );
}
