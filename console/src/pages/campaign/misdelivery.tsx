/**
 * Report a wrong message: sending stops at once, and a follow-up DM (written here) goes only to
 * the affected recipients after an approver approves it (POST /v1/campaigns/{id}/misdelivery).
 */
import { useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { pick, useLang, useT } from '../../i18n';
import type { Intervention } from './types';

const messages = {
  ja: {
    open: '誤送信を報告する',
    intro:
      '報告するとすぐに送信が止まります。下のお詫び・訂正 DM は、承認者が承認してから対象の受信者にだけ送られます。',
    reason: '何が間違っていたか',
    reasonHint: '例: 当選 DM のクーポンコードが別の賞品のものだった',
    followUp: 'お詫び・訂正 DM の本文',
    followUpHint: '{name}、{prize}、{code}、{resultUrl} を使えます。',
    kinds: '対象のメッセージ',
    win: '当選の通知',
    lose: '落選の通知',
    submit: '誤送信を報告して送信を止める',
    confirm: '誤送信を報告しますか？送信はすぐに止まります。',
    opened: '対応待ちを作成しました: {title}',
    stopsLink: '対応待ちページへ',
  },
  en: {
    open: 'Report a misdelivery',
    intro:
      'Reporting stops sending at once. The follow-up DM below goes only to the affected recipients, after an approver approves it.',
    reason: 'What was wrong',
    reasonHint: 'e.g. the win DM carried another prize’s coupon code',
    followUp: 'Follow-up DM text',
    followUpHint: 'You may use {name}, {prize}, {code} and {resultUrl}.',
    kinds: 'Which messages',
    win: 'Win messages',
    lose: 'Lose messages',
    submit: 'Report misdelivery and stop sending',
    confirm: 'Report a misdelivery? Sending stops at once.',
    opened: 'Stop opened: {title}',
    stopsLink: 'Go to the Stops page',
  },
} as const;

type Kind = 'win' | 'lose';

export function MisdeliveryForm({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT(messages);
  const lang = useLang();
  const [reason, setReason] = useState('');
  const [followUpText, setFollowUpText] = useState('');
  const [kinds, setKinds] = useState<Kind[]>(['win', 'lose']);
  const [opened, setOpened] = useState<Intervention | null>(null);
  const toggle = (kind: Kind) =>
    setKinds((now) => (now.includes(kind) ? now.filter((k) => k !== kind) : [...now, kind]));
  const ready = reason.trim() !== '' && followUpText.trim() !== '' && kinds.length > 0;
  const send = async () => {
    const answer = must(
      await api.POST('/v1/campaigns/{id}/misdelivery', {
        params: { path: { id } },
        body: {
          reason: reason.trim(),
          followUpText: followUpText.trim(),
          // Both kinds is the API's default; naming one narrows it.
          selector: kinds.length === 2 ? {} : { kinds },
        },
      }),
    );
    return answer.intervention;
  };
  return (
    <details class="misdelivery card" data-section="misdelivery">
      <summary>{t('open')}</summary>
      <p class="muted">{t('intro')}</p>
      <label>
        {t('reason')}
        <textarea
          name="reason"
          maxLength={1000}
          placeholder={t('reasonHint')}
          value={reason}
          onInput={(event) => setReason(event.currentTarget.value)}
        />
      </label>
      <label>
        {t('followUp')}
        <textarea
          name="followUpText"
          maxLength={10000}
          value={followUpText}
          onInput={(event) => setFollowUpText(event.currentTarget.value)}
        />
        <span class="muted small">{t('followUpHint')}</span>
      </label>
      <fieldset class="inline-choices">
        <legend>{t('kinds')}</legend>
        {(['win', 'lose'] as const).map((kind) => (
          <label key={kind} class="inline">
            <input
              type="checkbox"
              name="kinds"
              value={kind}
              checked={kinds.includes(kind)}
              onChange={() => toggle(kind)}
            />
            {t(kind)}
          </label>
        ))}
      </fieldset>
      <ActionButton
        action="misdelivery"
        tone="danger"
        confirm={t('confirm')}
        disabled={!ready}
        run={send}
        onDone={(result) => {
          setOpened(result as Intervention);
          setReason('');
          setFollowUpText('');
          onDone();
        }}
      >
        {t('submit')}
      </ActionButton>
      {opened && (
        <p class="notice" data-opened={opened.id}>
          {t('opened', { title: pick(lang, opened.title) })}{' '}
          <a href={`/console/stops?campaign=${encodeURIComponent(id)}`}>{t('stopsLink')}</a>
        </p>
      )}
    </details>
  );
}
