/**
 * What a person may do to the campaign, by role (the API's matrix): pause (operators and
 * approvers), resume and cancel (operators). Rendered only for those who may press them.
 */
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import type { Campaign } from './types';

const messages = {
  ja: {
    pause: '一時停止',
    resume: '再開',
    cancel: 'キャンペーンを中止',
    confirmCancel: 'このキャンペーンを中止しますか？応募の受付と送信が止まり、元に戻せません。',
    resumeByOperator: '一時停止中です。再開は運用担当が行います。',
  },
  en: {
    pause: 'Pause',
    resume: 'Resume',
    cancel: 'Cancel campaign',
    confirmCancel: 'Cancel this campaign? Entries and sending stop, and this cannot be undone.',
    resumeByOperator: 'Paused. An operator resumes it.',
  },
} as const;

const ended = new Set(['completed', 'cancelled', 'failed']);

/** Whether the campaign runs a workflow that can still take signals. */
export function isRunning(campaign: Campaign): boolean {
  return Boolean(campaign.workflowId) && !ended.has(campaign.phase);
}

export function CampaignActions({
  campaign,
  reload,
}: {
  campaign: Campaign;
  reload: () => Promise<void>;
}) {
  const t = useT(messages);
  const { can } = useSession();
  if (!isRunning(campaign)) return null;
  const path = { id: campaign.id };
  const done = () => void reload();
  return (
    <div class="actions" data-section="actions">
      {!campaign.paused && can('pause') && (
        <ActionButton
          action="pause"
          tone="secondary"
          run={async () =>
            must(await api.POST('/v1/campaigns/{id}/pause', { params: { path }, body: {} }))
          }
          onDone={done}
        >
          {t('pause')}
        </ActionButton>
      )}
      {campaign.paused && can('operate') && (
        <ActionButton
          action="resume"
          run={async () =>
            must(await api.POST('/v1/campaigns/{id}/resume', { params: { path }, body: {} }))
          }
          onDone={done}
        >
          {t('resume')}
        </ActionButton>
      )}
      {can('operate') && (
        <ActionButton
          action="cancel"
          tone="danger"
          confirm={t('confirmCancel')}
          run={async () =>
            must(await api.POST('/v1/campaigns/{id}/cancel', { params: { path }, body: {} }))
          }
          onDone={done}
        >
          {t('cancel')}
        </ActionButton>
      )}
      {campaign.paused && !can('operate') && <p class="muted">{t('resumeByOperator')}</p>}
    </div>
  );
}
