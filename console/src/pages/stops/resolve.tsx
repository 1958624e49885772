/**
 * How a person answers one open stop: a button per resolution the API offers, a small form for
 * the ones that need input (stock to add, a note with an approved follow-up), and X's authorize
 * link for a re-link. Rendered only for roles the resolve route accepts.
 */
import { useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { formatDateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { useSession } from '../../session';
import type { CampaignBrief } from './campaign-index';
import { confirmed, type Intervention, type Resolution, resolutionLabel } from './words';

const messages = {
  ja: {
    confirm: '「{what}」を実行しますか？',
    prize: '賞品',
    amount: '追加する数',
    note: 'メモ（任意）',
    stockNote: '追加した在庫は事前チェックと、追加した人以外の承認を経てから使われます。',
    noPrizes: '賞品の一覧を読めません。',
    approveAt: '開始の承認は承認画面で行います。',
    openApproval: '承認画面を開く',
    openX: 'Xの認可画面を開く',
    linkExpires: '（{at} まで有効、一度だけ）',
    followUpNote: '訂正DMは報告者以外の承認者が承認します。',
    reporterCannot: 'この誤配信を報告したのはあなたです。訂正DMは別の承認者が承認します。',
  },
  en: {
    confirm: 'Do “{what}”?',
    prize: 'Prize',
    amount: 'Units to add',
    note: 'Note (optional)',
    stockNote:
      'Added stock is used once preflight has passed and someone other than who added it has approved it.',
    noPrizes: 'The prizes could not be read.',
    approveAt: 'A launch is approved on the approvals page.',
    openApproval: 'Open the approval',
    openX: 'Open X’s authorize screen',
    linkExpires: '(works once, until {at})',
    followUpNote: 'An approver other than the reporter approves the follow-up.',
    reporterCannot: 'You reported this misdelivery: another approver approves the follow-up.',
  },
} as const;

type ResolveBody = {
  resolution: Resolution;
  note?: string;
  stock?: { prizeId: string; amount: number }[];
};

/**
 * ActionButton with `data-action="resolve"`, inside a `data-resolution` marker naming the answer
 * (ActionButton sets no other data attribute).
 */
function ResolutionButton({
  resolution,
  ...props
}: { resolution: Resolution } & Omit<Parameters<typeof ActionButton>[0], 'action'>) {
  return (
    <span class="resolution" data-resolution={resolution}>
      <ActionButton action="resolve" {...props} />
    </span>
  );
}

async function resolve(intervention: Intervention, body: ResolveBody) {
  return must(
    await api.POST('/v1/campaigns/{id}/interventions/{interventionId}/resolve', {
      params: { path: { id: intervention.campaignId ?? '', interventionId: intervention.id } },
      body,
    }),
  );
}

function AddStockForm({
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
  const prizes = campaign?.prizes ?? [];
  const [prizeId, setPrizeId] = useState(prizes[0]?.id ?? '');
  const [amount, setAmount] = useState(1);
  if (!prizes.length) return <p class="muted small">{t('noPrizes')}</p>;
  return (
    <form class="stop-form" data-form="add_stock" onSubmit={(event) => event.preventDefault()}>
      <label>
        {t('prize')}
        <select
          name="prizeId"
          value={prizeId}
          onChange={(e) => setPrizeId((e.target as HTMLSelectElement).value)}
        >
          {prizes.map((prize) => (
            <option key={prize.id} value={prize.id}>
              {prize.name} ({prize.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('amount')}
        <input
          name="amount"
          type="number"
          min={1}
          max={1_000_000}
          step={1}
          value={amount}
          onInput={(e) => setAmount(Number((e.target as HTMLInputElement).value))}
        />
      </label>
      <ResolutionButton
        resolution="add_stock"
        disabled={!prizeId || !Number.isInteger(amount) || amount < 1}
        run={() => resolve(intervention, { resolution: 'add_stock', stock: [{ prizeId, amount }] })}
        onDone={onDone}
      >
        {resolutionLabel('add_stock', lang)}
      </ResolutionButton>
      <p class="muted small">{t('stockNote')}</p>
    </form>
  );
}

function FollowUpForm({
  intervention,
  onDone,
}: {
  intervention: Intervention;
  onDone: () => void;
}) {
  const t = useT(messages);
  const lang = useLang();
  const [note, setNote] = useState('');
  return (
    <form class="stop-form" data-form="send_follow_up" onSubmit={(event) => event.preventDefault()}>
      <label>
        {t('note')}
        <input
          name="note"
          maxLength={1000}
          value={note}
          onInput={(e) => setNote((e.target as HTMLInputElement).value)}
        />
      </label>
      <ResolutionButton
        resolution="send_follow_up"
        confirm={t('confirm', { what: resolutionLabel('send_follow_up', lang) })}
        run={() =>
          resolve(intervention, {
            resolution: 'send_follow_up',
            ...(note.trim() ? { note: note.trim() } : {}),
          })
        }
        onDone={onDone}
      >
        {resolutionLabel('send_follow_up', lang)}
      </ResolutionButton>
      <p class="muted small">{t('followUpNote')}</p>
    </form>
  );
}

export function ResolveControls({
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
  const { can, principal } = useSession();
  const [link, setLink] = useState<{ url: string; expiresAt?: string } | null>(null);
  // The resolve route takes operators and approvers (and admins): the same people as `pause`.
  if (intervention.status !== 'open' || !intervention.campaignId || !can('pause')) return null;
  const simple = intervention.resolutions.filter(
    (r) => !['approved', 'add_stock', 'send_follow_up', 'relink'].includes(r),
  );
  return (
    <div class="stop-actions">
      {intervention.kind === 'approval' && (
        <p class="small">
          {t('approveAt')}{' '}
          <a href={`/console/approvals/${encodeURIComponent(intervention.campaignId)}`}>
            {t('openApproval')}
          </a>
        </p>
      )}
      {intervention.resolutions.includes('add_stock') && (
        <AddStockForm intervention={intervention} campaign={campaign} onDone={onDone} />
      )}
      {intervention.resolutions.includes('send_follow_up') &&
        can('approve') &&
        (intervention.openedBy === principal?.id ? (
          <p class="muted small">{t('reporterCannot')}</p>
        ) : (
          <FollowUpForm intervention={intervention} onDone={onDone} />
        ))}
      <div class="actions">
        {simple.map((resolution) => (
          <ResolutionButton
            key={resolution}
            resolution={resolution}
            tone={resolution === 'cancel' ? 'danger' : 'secondary'}
            {...(confirmed.has(resolution)
              ? { confirm: t('confirm', { what: resolutionLabel(resolution, lang) }) }
              : {})}
            run={() => resolve(intervention, { resolution })}
            onDone={onDone}
          >
            {resolutionLabel(resolution, lang)}
          </ResolutionButton>
        ))}
        {intervention.resolutions.includes('relink') && (
          <ResolutionButton
            resolution="relink"
            tone="secondary"
            run={() => resolve(intervention, { resolution: 'relink' })}
            onDone={(answer) => {
              const { authorizeUrl, expiresAt } = answer as Awaited<ReturnType<typeof resolve>>;
              if (!authorizeUrl) return;
              window.open(authorizeUrl, '_blank', 'noopener');
              setLink({ url: authorizeUrl, ...(expiresAt ? { expiresAt } : {}) });
            }}
          >
            {resolutionLabel('relink', lang)}
          </ResolutionButton>
        )}
      </div>
      {link && (
        <p class="small" data-authorize-url>
          <a href={link.url} target="_blank" rel="noopener noreferrer">
            {t('openX')}
          </a>{' '}
          {link.expiresAt && (
            <span class="muted">
              {t('linkExpires', { at: formatDateTime(link.expiresAt, campaign?.timeZone, lang) })}
            </span>
          )}
        </p>
      )}
    </div>
  );
}
