/**
 * The draw record: seed, entries digest, entry count and winners from the workflow's live state,
 * the published draw (winners and alternates in order, promotions, alternates passed over) from
 * the public /c/<id>/draw.json, and the links anyone can verify it with.
 */
import { api, ApiFailure, apiError } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Loading } from '../../components/Loading';
import { formatDateTime, formatNumber } from '../../format';
import { useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import type { DrawJson, TabProps } from './types';

const shown = 200;

const messages = {
  ja: {
    instant: 'インスタントウィンは応募のたびにその場で当落を決めるため、抽選記録はありません。',
    notYet: 'まだ抽選していません。抽選後に記録が公開されます。',
    seed: 'シード',
    digest: '応募一覧のダイジェスト（SHA-256）',
    entryCount: '抽選対象の応募数',
    winners: '当選者数',
    drawnAt: '抽選日時',
    winnerList: '当選者（抽選順）',
    alternates: '補欠（繰り上げ順）',
    promotions: '繰り上げ',
    replaces: '{who} の代わり',
    passedOver: '繰り上げを見送った補欠',
    more: 'ほか {count} 件（draw.json を参照）',
    none: 'なし',
    verify: '検証',
    drawJson: '公開された抽選記録 (draw.json)',
    page: '参加者向けページ',
    entries: '抽選対象の応募一覧 (entries.txt)',
    verifyHint: 'entries.txt と draw.json と verify-draw.mjs で、誰でも同じ結果を再現できます。',
  },
  en: {
    instant: 'An instant win decides each entry on arrival, so there is no draw record.',
    notYet: 'Not drawn yet. The record is published once drawn.',
    seed: 'Seed',
    digest: 'Entries digest (SHA-256)',
    entryCount: 'Entries drawn from',
    winners: 'Winners',
    drawnAt: 'Drawn at',
    winnerList: 'Winners (draw order)',
    alternates: 'Alternates (promotion order)',
    promotions: 'Promotions',
    replaces: 'replaces {who}',
    passedOver: 'Alternates passed over',
    more: 'and {count} more (see draw.json)',
    none: 'None',
    verify: 'Verify',
    drawJson: 'Published draw record (draw.json)',
    page: 'Participants’ page',
    entries: 'Entries drawn from (entries.txt)',
    verifyHint: 'With entries.txt, draw.json and verify-draw.mjs anyone can re-derive the result.',
  },
} as const;

async function loadDraw(id: string): Promise<DrawJson | null> {
  const { data, error, response } = await api.GET('/c/{campaignId}/draw.json', {
    params: { path: { campaignId: id } },
  });
  if (response.status === 404) return null;
  if (error !== undefined || !data) throw new ApiFailure(apiError(error, response));
  return data;
}

function Ids({ ids }: { ids: string[] }) {
  const t = useT(messages);
  const lang = useLang();
  if (ids.length === 0) return <p class="muted">{t('none')}</p>;
  return (
    <>
      <ol class="id-list">
        {ids.slice(0, shown).map((xUserId) => (
          <li key={xUserId}>
            <code>{xUserId}</code>
          </li>
        ))}
      </ol>
      {ids.length > shown && (
        <p class="muted small">{t('more', { count: formatNumber(ids.length - shown, lang) })}</p>
      )}
    </>
  );
}

export function DrawTab({ id, detail, timeZone }: TabProps) {
  const t = useT(messages);
  const lang = useLang();
  const config = detail.campaign.config as { kind?: string } | null;
  const instant = config?.kind === 'instant_win';
  // An instant win publishes no draw: nothing to ask for.
  const { data, error, loading } = usePolled(
    () => (instant ? Promise.resolve(null) : loadDraw(id)),
    [id, instant],
    instant ? null : undefined,
  );
  const encoded = encodeURIComponent(id);
  if (instant) {
    return (
      <div data-tab-panel="draw">
        <p class="muted">{t('instant')}</p>
      </div>
    );
  }
  const live = detail.workflow?.state?.draw ?? null;
  const record = live ?? data ?? null;
  return (
    <div data-tab-panel="draw">
      <ErrorNote error={error} />
      {loading && data === undefined && <Loading />}
      {!loading && !record && <p class="muted">{t('notYet')}</p>}
      {record && (
        <dl class="draw-record card" data-section="draw">
          <dt>{t('seed')}</dt>
          <dd>
            <code class="hash" data-seed>
              {record.seed}
            </code>
          </dd>
          <dt>{t('digest')}</dt>
          <dd>
            <code class="hash" data-digest>
              {record.digest}
            </code>
          </dd>
          <dt>{t('entryCount')}</dt>
          <dd>{formatNumber(record.entryCount, lang)}</dd>
          <dt>{t('winners')}</dt>
          <dd>
            {formatNumber(
              Array.isArray(record.winners) ? record.winners.length : record.winners,
              lang,
            )}
          </dd>
          {data && (
            <>
              <dt>{t('drawnAt')}</dt>
              <dd>{formatDateTime(data.drawnAt, timeZone, lang)}</dd>
            </>
          )}
        </dl>
      )}
      {data && (
        <div class="draw-lists">
          <section>
            <h3>{t('winnerList')}</h3>
            <Ids ids={data.winners} />
          </section>
          <section>
            <h3>{t('alternates')}</h3>
            <Ids ids={data.alternates} />
          </section>
          {data.promotions.length > 0 && (
            <section>
              <h3>{t('promotions')}</h3>
              <ul class="plain">
                {data.promotions.map((p) => (
                  <li key={p.xUserId}>
                    <code>{p.xUserId}</code> — {t('replaces', { who: p.replacesXUserId })} (
                    {formatDateTime(p.promotedAt, timeZone, lang)})
                  </li>
                ))}
              </ul>
            </section>
          )}
          {data.passedOver.length > 0 && (
            <section>
              <h3>{t('passedOver')}</h3>
              <ul class="plain">
                {data.passedOver.map((p) => (
                  <li key={p.xUserId}>
                    <code>{p.xUserId}</code> — {p.reason}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      )}
      <h2>{t('verify')}</h2>
      <p class="muted">{t('verifyHint')}</p>
      <ul class="link-list">
        <li>
          <a
            href={`/c/${encoded}/draw.json`}
            target="_blank"
            rel="noopener noreferrer"
            data-link="draw-json"
          >
            {t('drawJson')} ↗
          </a>
        </li>
        <li>
          <a
            href={`/c/${encoded}/entries.txt`}
            target="_blank"
            rel="noopener noreferrer"
            data-link="entries-txt"
          >
            {t('entries')} ↗
          </a>
        </li>
        <li>
          <a href={`/c/${encoded}`} target="_blank" rel="noopener noreferrer" data-link="public">
            {t('page')} ↗
          </a>
        </li>
      </ul>
    </div>
  );
}
