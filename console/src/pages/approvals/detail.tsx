/**
 * One campaign's approval: the approve button (never offered to the author or to whoever changed
 * the configuration since the last approval; the API refuses them anyway and its error shows),
 * preflight findings, the rehearsal per test account and the diff from the approved version.
 */
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Loading } from '../../components/Loading';
import { useLang, useT } from '../../i18n';
import { campaignTimeZone, phaseLabel, phaseTone } from '../../labels';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { PreflightBadges } from './index';
import { messages } from './messages';
import { readPreflight } from './preflight-data';
import { type ConfigDiff, DiffView, Findings, Rehearsal } from './review';
import './approvals.css';

async function loadApproval(id: string) {
  const [detail, diff] = await Promise.all([
    api.GET('/v1/campaigns/{id}', { params: { path: { id } } }).then(must),
    api.GET('/v1/campaigns/{id}/config/diff', { params: { path: { id } } }).then(must),
  ]);
  const testAccounts = await api
    .GET('/v1/accounts/{id}/test-accounts', {
      params: { path: { id: detail.campaign.accountId } },
    })
    .then(({ data }) => data?.testAccounts ?? []);
  const labels = new Map(testAccounts.map((account) => [account.xUserId, account.label ?? '']));
  return { ...detail, diff: diff as ConfigDiff, labels };
}

export default function ApprovalDetailPage() {
  const t = useT(messages);
  const lang = useLang();
  const { params } = useRoute();
  const id = params.id ?? '';
  const { principal, can } = useSession();
  const [reason, setReason] = useState('');
  const { data, error, loading, reload } = usePolled(() => loadApproval(id), [id], 4000);

  if (loading && !data) return <Loading />;
  if (!data) {
    return (
      <section data-page="approval">
        <a href="/console/approvals">{t('back')}</a>
        <ErrorNote error={error} />
      </section>
    );
  }
  const { campaign, workflow, diff, labels } = data;
  const state = workflow?.state ?? null;
  const preflight = readPreflight(campaign.preflight);
  const timeZone = campaignTimeZone(campaign.config);
  const phase = campaign.phase;
  const isAuthor = principal?.id === campaign.author;
  const changedIt = principal !== undefined && diff.changedBy.includes(principal.id);
  const awaiting = phase === 'awaiting_approval' && !state?.approvedBy;
  const stale =
    preflight?.configVersion !== null &&
    preflight?.configVersion !== undefined &&
    preflight.configVersion !== campaign.configVersion;
  const mayApprove = can('approve') && !isAuthor && !changedIt;

  return (
    <section data-page="approval" data-campaign-id={campaign.id}>
      <a href="/console/approvals">{t('back')}</a>
      <div class="page-head">
        <h1>{campaign.name}</h1>
        <span class="badges">
          <Badge tone={phaseTone(phase)}>{phaseLabel(phase, lang)}</Badge>
          <PreflightBadges preflight={preflight} />
        </span>
      </div>
      <p class="muted small">
        <code>{campaign.id}</code> · {t('account')}: <code>{campaign.accountId}</code> ·{' '}
        {t('author')}: <code>{campaign.author}</code>
        {state?.approvalRound !== undefined && (
          <> · {t('round', { round: state.approvalRound })}</>
        )}{' '}
        · <a href={`/console/campaigns/${encodeURIComponent(campaign.id)}`}>{campaign.id}</a>
      </p>
      <ErrorNote error={error} />
      {workflow && !workflow.live && <p class="notice">{t('notLive')}</p>}

      <section class="card review-section approve-card" data-section="approve">
        <h2>{t('approveTitle')}</h2>
        {state?.approvedBy && (
          <p>
            <Badge tone="ok">{t('approvedBy', { by: state.approvedBy })}</Badge>
          </p>
        )}
        {!awaiting && !state?.approvedBy && (
          <p class="muted">{t('notAwaiting', { phase: phaseLabel(phase, lang) })}</p>
        )}
        {isAuthor && (
          <p class="notice" data-reason="author">
            {t('youAreAuthor')}
          </p>
        )}
        {!isAuthor && changedIt && (
          <p class="notice" data-reason="changer">
            {t('youChanged')}
          </p>
        )}
        {!can('approve') && <p class="muted">{t('notApprover')}</p>}
        {preflight && preflight.blocking > 0 && <p class="error-note">{t('blockingNote')}</p>}
        {stale && (
          <p class="notice">
            {t('staleNote', {
              checked: preflight.configVersion ?? '—',
              current: campaign.configVersion,
            })}
          </p>
        )}
        {mayApprove && awaiting && (
          <div class="approve-form">
            <label>
              <span>{t('reason')}</span>
              <textarea
                rows={2}
                maxLength={500}
                value={reason}
                onInput={(event) => setReason(event.currentTarget.value)}
              />
            </label>
            <ActionButton
              action="approve"
              confirm={t('approveConfirm')}
              run={async () =>
                must(
                  await api.POST('/v1/campaigns/{id}/approve', {
                    params: { path: { id: campaign.id } },
                    body: reason.trim() ? { reason: reason.trim() } : {},
                  }),
                )
              }
              onDone={() => void reload()}
            >
              {t('approve')}
            </ActionButton>
          </div>
        )}
        {state && state.refusedApprovals.length > 0 && (
          <>
            <h3>{t('refused')}</h3>
            <ul class="small">
              {state.refusedApprovals.map((refusal, index) => (
                <li key={index}>
                  <code>{refusal.by}</code>: {refusal.reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      {preflight && <Findings preflight={preflight} timeZone={timeZone} />}
      {preflight && <Rehearsal preflight={preflight} labels={labels} />}
      <DiffView diff={diff} timeZone={timeZone} />
    </section>
  );
}
