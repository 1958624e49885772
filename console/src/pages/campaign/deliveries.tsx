/**
 * Deliveries: counts per state, today's DM quota, and the deliveries in send order, filterable by
 * state and failure category, each with its ETA (queued and reserved, campaign timezone) or its
 * failure's reason and remedy in the reader's language. Failed ones can be ticked and resent.
 */
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime, formatNumber } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { QuotaCard } from './quota';
import { ResendBar } from './resend';
import type { Delivery, DeliveryState, ErrorCategory, ResendAnswer, TabProps } from './types';
import {
  categoryLabel,
  categoryOrder,
  channelLabel,
  deliveryStateLabel,
  deliveryStateOrder,
  deliveryStateTone,
  kindLabel,
} from './words';

const pageSize = 100;

const messages = {
  ja: {
    all: 'すべて',
    state: '状態',
    category: '失敗の種類',
    recipient: '受信者（X ユーザー ID）・種類',
    attempts: '試行 {count} 回',
    when: '送信予定 / 送信日時',
    reason: '理由と対処',
    remedy: '対処',
    select: '選択',
    selectAll: '表示中の失敗をすべて選択',
    empty: 'この条件の配信はありません。',
    previous: '← 前へ',
    next: '次へ →',
    page: '{from}〜{to} 件目',
    eta: '予定',
    failedAt: '失敗',
    laterDay: '今日の枠は上限のため、後日の枠で送信',
    code: 'コード',
  },
  en: {
    all: 'All',
    state: 'State',
    category: 'Failure category',
    recipient: 'Recipient (X user id), kind',
    attempts: '{count} attempt(s)',
    when: 'ETA / sent at',
    reason: 'Reason and remedy',
    remedy: 'Remedy',
    select: 'Select',
    selectAll: 'Select every failure shown',
    empty: 'No deliveries match.',
    previous: '← Previous',
    next: 'Next →',
    page: '{from}–{to}',
    eta: 'ETA',
    failedAt: 'Failed',
    laterDay: 'Today is full: goes out in a later day’s window',
    code: 'Code',
  },
} as const;

export function DeliveriesTab({ id, timeZone }: TabProps) {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const { path, query, route } = useLocation();
  const state = (deliveryStateOrder as readonly string[]).includes(query.state ?? '')
    ? (query.state as DeliveryState)
    : undefined;
  const category = categoryOrder.includes(query.category ?? '')
    ? (query.category as ErrorCategory)
    : undefined;
  const offset = Math.max(0, Number.parseInt(query.offset ?? '0', 10) || 0);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [answer, setAnswer] = useState<ResendAnswer | null>(null);

  const { data, error, loading, reload } = usePolled(
    async () =>
      must(
        await api.GET('/v1/campaigns/{id}/deliveries', {
          params: { path: { id }, query: { state, category, limit: pageSize, offset } },
        }),
      ),
    [id, state, category, offset],
  );

  const setQuery = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    route(`${path}?${next.toString()}`, true);
  };

  const resendable = can('operate');
  const shown = data?.deliveries ?? [];
  const failedShown = shown.filter((d) => d.state === 'failed');
  // The ticked rows on screen, failed or not: a selection stays ticked after its resend, so a
  // second press shows what the API answers then (already pending or sent: nothing sent again).
  const selected = shown.filter((d) => picked.has(d.id)).map((d) => d.id);
  const toggle = (deliveryId: string) =>
    setPicked((now) => {
      const next = new Set(now);
      if (next.has(deliveryId)) next.delete(deliveryId);
      else next.add(deliveryId);
      return next;
    });
  const allPicked = failedShown.length > 0 && failedShown.every((d) => picked.has(d.id));
  const pickAllFailed = () =>
    setPicked((now) => {
      const next = new Set(now);
      for (const d of failedShown) {
        if (allPicked) next.delete(d.id);
        else next.add(d.id);
      }
      return next;
    });
  const zone = timeZone ?? data?.quota.timezone;

  return (
    <div data-tab-panel="deliveries">
      {data && (
        <div class="delivery-summary">
          <div class="state-counts" data-section="counts">
            {deliveryStateOrder.map((name) => (
              <button
                type="button"
                key={name}
                class={`state-count${state === name ? ' state-count-current' : ''}`}
                data-filter="state"
                data-state={name}
                aria-pressed={state === name}
                onClick={() =>
                  setQuery({ state: state === name ? undefined : name, offset: undefined })
                }
              >
                <span class="value num" data-count={data.counts[name] ?? 0}>
                  {formatNumber(data.counts[name] ?? 0, lang)}
                </span>
                <Badge tone={deliveryStateTone(name)}>{deliveryStateLabel(name, lang)}</Badge>
              </button>
            ))}
          </div>
          <QuotaCard quota={data.quota} lang={lang} />
        </div>
      )}

      <div class="filters">
        <label>
          {t('state')}
          <select
            name="state"
            value={state ?? ''}
            onChange={(event) => setQuery({ state: event.currentTarget.value, offset: undefined })}
          >
            <option value="">{t('all')}</option>
            {deliveryStateOrder.map((name) => (
              <option key={name} value={name}>
                {deliveryStateLabel(name, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('category')}
          <select
            name="category"
            value={category ?? ''}
            onChange={(event) =>
              setQuery({ category: event.currentTarget.value, offset: undefined })
            }
          >
            <option value="">{t('all')}</option>
            {categoryOrder.map((name) => (
              <option key={name} value={name}>
                {categoryLabel(name, lang)}
              </option>
            ))}
          </select>
        </label>
      </div>

      {resendable && (failedShown.length > 0 || selected.length > 0 || answer) && (
        <ResendBar
          id={id}
          selected={selected}
          answer={answer}
          onAnswer={(result) => {
            setAnswer(result);
            void reload();
          }}
        />
      )}

      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : !data?.deliveries.length ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <Table
          name="deliveries"
          head={
            <tr>
              {resendable && (
                <th class="select-col">
                  <input
                    type="checkbox"
                    aria-label={t('selectAll')}
                    title={t('selectAll')}
                    data-select="all-failed"
                    disabled={failedShown.length === 0}
                    checked={allPicked}
                    onChange={pickAllFailed}
                  />
                </th>
              )}
              <th>{t('state')}</th>
              <th>{t('recipient')}</th>
              <th>{t('when')}</th>
              <th>{t('reason')}</th>
            </tr>
          }
        >
          {data.deliveries.map((delivery) => (
            <DeliveryRow
              key={delivery.id}
              delivery={delivery}
              timeZone={zone}
              today={data.quota.dayKey}
              selectable={resendable}
              picked={picked.has(delivery.id)}
              onToggle={() => toggle(delivery.id)}
            />
          ))}
        </Table>
      )}

      {data && (offset > 0 || data.deliveries.length === pageSize) && (
        <div class="pager">
          <button
            type="button"
            class="button button-secondary"
            data-pager="previous"
            disabled={offset === 0}
            onClick={() => setQuery({ offset: String(Math.max(0, offset - pageSize)) })}
          >
            {t('previous')}
          </button>
          <span class="muted">
            {t('page', { from: offset + 1, to: offset + data.deliveries.length })}
          </span>
          <button
            type="button"
            class="button button-secondary"
            data-pager="next"
            disabled={data.deliveries.length < pageSize}
            onClick={() => setQuery({ offset: String(offset + pageSize) })}
          >
            {t('next')}
          </button>
        </div>
      )}
    </div>
  );
}

/** Why the consent plan chose this channel, when the API gives it in both languages. */
function channelReason(delivery: Delivery): { ja: string; en: string } | null {
  const reason = delivery.channelReason as { ja?: unknown; en?: unknown } | null;
  return reason && typeof reason.ja === 'string' && typeof reason.en === 'string'
    ? { ja: reason.ja, en: reason.en }
    : null;
}

function DeliveryRow({
  delivery,
  timeZone,
  today,
  selectable,
  picked,
  onToggle,
}: {
  delivery: Delivery;
  timeZone: string | undefined;
  /** Today's local day of the sender account (YYYY-MM-DD), as the ETAs' days are. */
  today: string | undefined;
  selectable: boolean;
  picked: boolean;
  onToggle: () => void;
}) {
  const t = useT(messages);
  const lang = useLang();
  const failed = delivery.state === 'failed';
  return (
    <tr
      data-row-id={delivery.id}
      data-state={delivery.state}
      class={failed ? 'row-failed' : undefined}
    >
      {selectable && (
        <td class="select-col">
          {(failed || picked) && (
            <input
              type="checkbox"
              aria-label={`${t('select')} ${delivery.id}`}
              data-select={delivery.id}
              checked={picked}
              onChange={onToggle}
            />
          )}
        </td>
      )}
      <td>
        <Badge tone={deliveryStateTone(delivery.state)}>
          {deliveryStateLabel(delivery.state, lang)}
        </Badge>
      </td>
      <td>
        <code title={delivery.id}>{delivery.xUserId}</code>
        <div class="muted small">
          {kindLabel(delivery.kind, lang)} · {channelLabel(delivery.channel, lang)} ·{' '}
          {t('attempts', { count: formatNumber(delivery.attempts, lang) })}
        </div>
      </td>
      <td class="when">
        {delivery.eta ? (
          <span data-eta={delivery.eta}>
            <span class="muted small">{t('eta')}</span>{' '}
            {formatDateTime(delivery.eta, timeZone, lang)}
            {delivery.etaDay && today && delivery.etaDay > today && (
              <div class="muted small" data-eta-later-day>
                {t('laterDay')}
              </div>
            )}
          </span>
        ) : delivery.state === 'failed' ? (
          <span>
            <span class="muted small">{t('failedAt')}</span>{' '}
            {formatDateTime(delivery.updatedAt, timeZone, lang)}
          </span>
        ) : (
          formatDateTime(delivery.sentAt, timeZone, lang)
        )}
      </td>
      <td class="reason" data-reason={delivery.errorCode ?? ''}>
        {!delivery.errorReason && delivery.channel !== 'dm' && channelReason(delivery) && (
          <div class="muted small" data-channel-reason>
            {pick(lang, channelReason(delivery))}
          </div>
        )}
        {delivery.errorReason && <div>{pick(lang, delivery.errorReason)}</div>}
        {delivery.errorRemedy && (
          <div class="remedy" data-remedy>
            <strong>{t('remedy')}</strong>: {pick(lang, delivery.errorRemedy)}
          </div>
        )}
        {delivery.errorCode && (
          <div class="muted small">
            {delivery.errorCategory && `${categoryLabel(delivery.errorCategory, lang)} · `}
            {t('code')}: <code>{delivery.errorCode}</code>
          </div>
        )}
      </td>
    </tr>
  );
}
