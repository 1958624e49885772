/**
 * A campaign's report: deliveries per local day against the cap, the funnel, failures by reason,
 * the X API cost and the CSV. Before the report is written (when delivery ends) the page shows
 * what the live state and the deliveries tell so far, and says the report comes at the end.
 */
import { useRoute } from 'preact-iso';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime, formatDay, formatNumber } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { phaseLabel, phaseTone } from '../../labels';
import { usePolled } from '../../live';
import { ChartCanvas } from './ChartCanvas';
import { CostSection } from './cost';
import { chartColors, type ChartConfiguration } from './charts';
import { type DayCount, type FailureRow, loadReportPage, type ReportPageData } from './data';
import {
  categoryLabel,
  channelLabel,
  funnelLabel,
  funnelSteps,
  funnelTableKeys,
  stateLabel,
  stateOrder,
} from './words';
import './report.css';

const messages = {
  ja: {
    title: 'レポート',
    back: 'キャンペーンへ戻る',
    csv: 'CSVをダウンロード',
    csvLater: 'CSVはレポートができてからダウンロードできます。',
    notReady:
      'レポートは結果の送信が終わったときに作成されます。それまでは現在の状態（途中経過）を表示しています。',
    generated: '作成: {at}',
    perDay: '日ごとの送信数と上限',
    perDayLive: '日ごとの送信数（途中経過）',
    perDayPartial: '送信済みの最初の {count} 件から数えています。',
    day: '日付（アカウントのタイムゾーン）',
    sent: '送信',
    cap: '上限',
    noDays: 'まだ送信はありません。',
    funnel: 'ファネル',
    step: '段階',
    count: '件数',
    failures: '失敗の理由',
    code: 'コード',
    reason: '理由',
    remedy: '対処',
    category: '分類',
    noFailures: '失敗はありません。',
    deliveries: '配信の状態',
    state: '状態',
    channels: '結果の伝え方',
    channel: '方法',
    claims: '受け取り',
    claimed: '受け取り済み',
    forfeited: '期限切れ',
    promoted: '繰り上げ',
    openClaims: '受付中',
    cost: 'X API の費用',
    chartPerDay: '日ごとの送信数の棒グラフと、上限の折れ線',
    chartFunnel: 'ファネルの横棒グラフ',
  },
  en: {
    title: 'Report',
    back: 'Back to the campaign',
    csv: 'Download CSV',
    csvLater: 'The CSV can be downloaded once the report is written.',
    notReady:
      'The report is written when the results have been sent. Until then this page shows the live state so far.',
    generated: 'Written {at}',
    perDay: 'Sent per day against the cap',
    perDayLive: 'Sent per day (so far)',
    perDayPartial: 'Counted from the first {count} sent deliveries.',
    day: 'Day (account timezone)',
    sent: 'Sent',
    cap: 'Cap',
    noDays: 'Nothing sent yet.',
    funnel: 'Funnel',
    step: 'Step',
    count: 'Count',
    failures: 'Failures by reason',
    code: 'Code',
    reason: 'Reason',
    remedy: 'What to do',
    category: 'Category',
    noFailures: 'No failures.',
    deliveries: 'Deliveries by state',
    state: 'State',
    channels: 'How results were told',
    channel: 'Channel',
    claims: 'Claims',
    claimed: 'Claimed',
    forfeited: 'Forfeited',
    promoted: 'Promoted',
    openClaims: 'Open',
    cost: 'X API cost',
    chartPerDay: 'Bar chart of DMs sent per day, with the cap as a line',
    chartFunnel: 'Horizontal bar chart of the funnel',
  },
} as const;

function perDayChart(days: DayCount[], lang: 'ja' | 'en', labels: { sent: string; cap: string }) {
  const config: ChartConfiguration = {
    type: 'bar',
    data: {
      labels: days.map((day) => formatDay(day.dayKey, lang)),
      datasets: [
        {
          type: 'bar',
          label: labels.sent,
          data: days.map((day) => day.count),
          backgroundColor: chartColors.sent,
          maxBarThickness: 64,
          // A day's few sends stay visible under a cap a hundred times larger.
          minBarLength: 3,
          order: 2,
        },
        {
          type: 'line',
          label: labels.cap,
          data: days.map((day) => day.cap),
          borderColor: chartColors.cap,
          backgroundColor: chartColors.cap,
          borderDash: [6, 4],
          borderWidth: 2,
          // Each day's cap as a dash across its bar, joined from day to day.
          pointStyle: 'line',
          pointRadius: 22,
          pointHoverRadius: 22,
          pointBorderWidth: 3,
          spanGaps: true,
          order: 1,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom', labels: { usePointStyle: true } } },
    },
  };
  return config;
}

function funnelChart(steps: { label: string; value: number }[], label: string) {
  const config: ChartConfiguration = {
    type: 'bar',
    data: {
      labels: steps.map((step) => step.label),
      datasets: [
        {
          label,
          data: steps.map((step) => step.value),
          backgroundColor: chartColors.funnel,
          maxBarThickness: 36,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { display: false } },
    },
  };
  return config;
}

/** The funnel from the stored report, or from the workflow's live counts before it. */
function funnelOf(data: ReportPageData): Record<string, number> {
  if (data.report) return data.report.funnel;
  const counts = data.state?.counts;
  if (!counts) return {};
  return {
    events: counts.entryEvents,
    eligible: counts.eligible,
    won: counts.won,
    dmAttempted: counts.sent + counts.failed,
    delivered: counts.sent,
  };
}

function CountTable({
  name,
  head,
  rows,
}: {
  name: string;
  head: [string, string];
  rows: { key: string; label: string; value: number }[];
}) {
  const lang = useLang();
  return (
    <Table
      name={name}
      head={
        <tr>
          <th>{head[0]}</th>
          <th class="num">{head[1]}</th>
        </tr>
      }
    >
      {rows.map((row) => (
        <tr key={row.key} data-row-id={row.key}>
          <td>{row.label}</td>
          <td class="num">{formatNumber(row.value, lang)}</td>
        </tr>
      ))}
    </Table>
  );
}

function FailuresTable({ failures, data }: { failures: FailureRow[]; data: ReportPageData }) {
  const t = useT(messages);
  const lang = useLang();
  if (!failures.length) return <Empty>{t('noFailures')}</Empty>;
  return (
    <Table
      name="failures"
      head={
        <tr>
          <th>{t('reason')}</th>
          <th>{t('code')}</th>
          <th>{t('category')}</th>
          <th class="num">{t('count')}</th>
        </tr>
      }
    >
      {failures.map((failure) => {
        const known = data.reasons.get(failure.code);
        return (
          <tr key={failure.code} data-row-id={failure.code}>
            <td>
              {known ? pick(lang, known.reason) : categoryLabel(failure.category, lang)}
              {known?.remedy && (
                <div class="muted small">
                  {t('remedy')}: {pick(lang, known.remedy)}
                </div>
              )}
            </td>
            <td>
              <code>{failure.code}</code>
            </td>
            <td>{categoryLabel(failure.category, lang)}</td>
            <td class="num">{formatNumber(failure.count, lang)}</td>
          </tr>
        );
      })}
    </Table>
  );
}

function ReportBody({ data }: { data: ReportPageData }) {
  const t = useT(messages);
  const lang = useLang();
  const { report } = data;
  const days = report ? report.perDay : (data.live?.perDay ?? []);
  const funnel = funnelOf(data);
  const steps = funnelSteps
    .filter((key) => typeof funnel[key] === 'number')
    .map((key) => ({ key, label: funnelLabel(key, lang), value: funnel[key] ?? 0 }));
  const funnelRows = funnelTableKeys
    .filter((key) => typeof funnel[key] === 'number')
    .map((key) => ({ key, label: funnelLabel(key, lang), value: funnel[key] ?? 0 }));
  const failures = report ? report.failures : (data.live?.failures ?? []);
  const deliveries = report ? report.deliveries : (data.live?.deliveries ?? {});
  const tz = data.campaign.timeZone;
  return (
    <>
      <div class="report-grid">
        <section class="card report-panel">
          <h2>{report ? t('perDay') : t('perDayLive')}</h2>
          {days.length === 0 ? (
            <Empty>{t('noDays')}</Empty>
          ) : (
            <>
              <ChartCanvas
                name="per-day"
                label={t('chartPerDay')}
                config={perDayChart(days, lang, { sent: t('sent'), cap: t('cap') })}
              />
              {data.live?.perDayPartial && (
                <p class="muted small">{t('perDayPartial', { count: 500 })}</p>
              )}
              <Table
                name="per-day"
                head={
                  <tr>
                    <th>{t('day')}</th>
                    <th class="num">{t('sent')}</th>
                    <th class="num">{t('cap')}</th>
                  </tr>
                }
              >
                {days.map((day) => (
                  <tr key={day.dayKey} data-row-id={day.dayKey}>
                    <td>{formatDay(day.dayKey, lang)}</td>
                    <td class="num">{formatNumber(day.count, lang)}</td>
                    <td class="num">{formatNumber(day.cap, lang)}</td>
                  </tr>
                ))}
              </Table>
            </>
          )}
        </section>
        <section class="card report-panel">
          <h2>{t('funnel')}</h2>
          {steps.length === 0 ? (
            <Empty />
          ) : (
            <>
              <ChartCanvas
                name="funnel"
                label={t('chartFunnel')}
                config={funnelChart(steps, t('count'))}
              />
              <CountTable name="funnel" head={[t('step'), t('count')]} rows={funnelRows} />
            </>
          )}
        </section>
      </div>
      <h2>{t('failures')}</h2>
      <FailuresTable failures={failures} data={data} />
      <div class="report-grid">
        <section>
          <h2>{t('deliveries')}</h2>
          <CountTable
            name="delivery-states"
            head={[t('state'), t('count')]}
            rows={stateOrder
              .filter((key) => typeof deliveries[key] === 'number')
              .map((key) => ({ key, label: stateLabel(key, lang), value: deliveries[key] ?? 0 }))}
          />
        </section>
        {report && Object.keys(report.channels).length > 0 && (
          <section>
            <h2>{t('channels')}</h2>
            <CountTable
              name="channels"
              head={[t('channel'), t('count')]}
              rows={Object.entries(report.channels).map(([key, value]) => ({
                key,
                label: channelLabel(key, lang),
                value,
              }))}
            />
          </section>
        )}
        {report?.claims && (
          <section>
            <h2>{t('claims')}</h2>
            <CountTable
              name="claims"
              head={[t('claims'), t('count')]}
              rows={(['claimed', 'forfeited', 'promoted', 'open'] as const).map((key) => ({
                key,
                label: t(key === 'open' ? 'openClaims' : key),
                value: report.claims?.[key] ?? 0,
              }))}
            />
          </section>
        )}
      </div>
      <h2>{t('cost')}</h2>
      {data.costs.answer ? (
        <CostSection costs={data.costs.answer} />
      ) : (
        <ErrorNote error={data.costs.error} />
      )}
      {report?.generatedAt && (
        <p class="muted small">
          {t('generated', { at: formatDateTime(report.generatedAt, tz, lang) })}
        </p>
      )}
    </>
  );
}

export default function ReportPage() {
  const t = useT(messages);
  const lang = useLang();
  const { params } = useRoute();
  const id = params.id ?? '';
  const { data, error, loading } = usePolled(
    () => loadReportPage(id),
    [id],
    10_000,
    // Once written, the report is final.
    (page) => Boolean(page.report),
  );
  const campaignHref = `/console/campaigns/${encodeURIComponent(id)}`;
  return (
    <section data-page="report" data-report-ready={data ? String(Boolean(data.report)) : undefined}>
      <div class="page-head">
        <div>
          <h1>
            {t('title')}
            {data && <span class="report-name"> · {data.campaign.name}</span>}
          </h1>
          <div class="small">
            <a href={campaignHref}>{t('back')}</a>
            {data && (
              <>
                {' '}
                <Badge tone={phaseTone(data.campaign.phase)}>
                  {phaseLabel(data.campaign.phase, lang)}
                </Badge>
              </>
            )}
          </div>
        </div>
        {data?.report ? (
          <a
            class="button button-primary"
            href={`/v1/campaigns/${encodeURIComponent(id)}/report.csv`}
            download
            data-action="download-csv"
          >
            {t('csv')}
          </a>
        ) : (
          data && <span class="muted small">{t('csvLater')}</span>
        )}
      </div>
      <ErrorNote error={error} />
      {data && !data.report && (
        <p class="notice" data-notice="report-not-ready">
          {t('notReady')}
        </p>
      )}
      {loading && !data ? <Loading /> : data ? <ReportBody data={data} /> : null}
    </section>
  );
}
