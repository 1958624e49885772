/**
 * Why the campaign is held: the sending halt (with the failed delivery's reason and remedy) and
 * its open stops (interventions), each with its title, remedy and a link to the Stops page.
 */
import { api, must } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { formatDateTime } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { usePolled } from '../../live';
import { blocksLabel, categoryLabel } from './words';
import type { LiveState } from './types';

const messages = {
  ja: {
    halt: '送信停止中',
    haltCode: 'エラーコード',
    haltDelivery: '原因の配信',
    remedy: '対処',
    stops: '対応待ち',
    noStops: '対応待ちはありません。',
    openedAt: '発生',
    openStops: '対応待ちページで対応する',
  },
  en: {
    halt: 'Sending halted',
    haltCode: 'Error code',
    haltDelivery: 'Delivery',
    remedy: 'Remedy',
    stops: 'Open stops',
    noStops: 'No open stops.',
    openedAt: 'Opened',
    openStops: 'Handle it on the Stops page',
  },
} as const;

type Halt = NonNullable<LiveState['halt']>;

/**
 * The halt with its reason and remedy: the stop it opened carries them (the API words its X error
 * from the same catalogue as the deliveries), so no delivery list is searched for them.
 */
export function HaltNote({ id, halt }: { id: string; halt: Halt }) {
  const t = useT(messages);
  const lang = useLang();
  const { data } = usePolled(
    async () => {
      const { interventions } = must(
        await api.GET('/v1/campaigns/{id}/interventions', {
          params: { path: { id }, query: { status: 'open', limit: 100, offset: 0 } },
        }),
      );
      return interventions.find((stop) => stop.error?.code === halt.code)?.error ?? null;
    },
    [id, halt.code],
    null,
  );
  return (
    <div class="halt" role="alert" data-halt={halt.code}>
      <strong>{t('halt')}</strong>: {categoryLabel(halt.category, lang)}{' '}
      <span class="muted small">
        ({t('haltCode')}: <code>{halt.code}</code> · {t('haltDelivery')}:{' '}
        <code>{halt.deliveryId}</code>)
      </span>
      {data && <p data-reason>{pick(lang, data.reason)}</p>}
      {data && (
        <p data-remedy>
          <strong>{t('remedy')}</strong>: {pick(lang, data.remedy)}
        </p>
      )}
    </div>
  );
}

export function OpenStops({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const t = useT(messages);
  const lang = useLang();
  const { data, error } = usePolled(
    async () =>
      must(
        await api.GET('/v1/campaigns/{id}/interventions', {
          params: { path: { id }, query: { status: 'open', limit: 100, offset: 0 } },
        }),
      ).interventions,
    [id],
  );
  return (
    <div class="stops" data-section="stops">
      <h2>{t('stops')}</h2>
      <ErrorNote error={error} />
      {data && data.length === 0 && <p class="muted">{t('noStops')}</p>}
      {data?.map((stop) => (
        <div class="stop card" key={stop.id} data-stop-id={stop.id} data-kind={stop.kind}>
          <div class="stop-head">
            <strong>{pick(lang, stop.title)}</strong>
            <Badge tone={stop.blocks === 'nothing' ? 'neutral' : 'warn'}>
              {blocksLabel(stop.blocks, lang)}
            </Badge>
          </div>
          <p>
            <strong>{t('remedy')}</strong>: {pick(lang, stop.remedy)}
          </p>
          <div class="muted small">
            {t('openedAt')}: {formatDateTime(stop.openedAt, timeZone, lang)} · {stop.openedBy}
          </div>
          <a
            href={`/console/stops?campaign=${encodeURIComponent(id)}#${encodeURIComponent(stop.id)}`}
          >
            {t('openStops')} →
          </a>
        </div>
      ))}
    </div>
  );
}
