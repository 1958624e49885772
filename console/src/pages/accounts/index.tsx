/**
 * Sender accounts: linked to X or not, halted or not, the day's DM use against the cap, and what
 * a person may do about it (connect or re-link and disconnect: admins; resume a halted account:
 * operators and admins).
 */
import { useState } from 'preact/hooks';
import { api, must, type paths } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { Badge, type Tone } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { Empty, Loading } from '../../components/Loading';
import { formatDateTime, formatDay, formatNumber } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import { phaseLabel } from '../../labels';
import { usePolled } from '../../live';
import { useSession } from '../../session';
import { categoryLabel } from '../report/words';
import { type CampaignBrief, loadCampaignIndex } from '../stops/campaign-index';
import { type DayQuota, loadQuotas } from './quota';
import './accounts.css';

type Account =
  paths['/v1/accounts']['get']['responses'][200]['content']['application/json']['accounts'][number];

const messages = {
  ja: {
    title: '送信アカウント',
    lead: 'キャンペーンの結果DMを送るXアカウントです。1日の送信上限はアカウントのタイムゾーンの日付で数えます。',
    connected: '連携済み',
    notLinked: '未連携',
    disconnected: '切断（Xが認可を拒否）',
    halted: '送信停止中',
    sending: '送信可能',
    haltedBecause: '停止の理由: {code}（{category}）',
    haltedAt: '停止した時刻',
    haltedBy: '停止したキャンペーン',
    quota: '本日のDM（{day}）',
    quotaUse: '{used} / {cap} 通',
    remaining: '残り {remaining} 通',
    full: '上限に達しました。次の枠: {at}',
    noQuota:
      '本日の使用数は、このアカウントのキャンペーンがないため取得できません（上限 {cap} 通/日）。',
    campaigns: '実施中のキャンペーン',
    noRunning: 'なし',
    endedCount: 'ほかに終了したもの {count} 件',
    timezone: 'タイムゾーン',
    tier: 'プラン',
    connect: 'Xと連携',
    relink: '再連携',
    disconnect: '連携を解除',
    confirmDisconnect:
      '{id} のXとの連携を解除しますか？Xのトークンを取り消し、このアカウントのキャンペーンは送信できなくなります。',
    resume: '送信を再開',
    confirmResume:
      '{id} の送信を再開しますか？Xで制限の解除や再連携を済ませてから再開してください。',
    openX: 'Xの認可画面を開く',
    linkNote:
      'ブランドのXアカウントでサインインしたブラウザで開き、許可してください（{at} まで有効、一度だけ）。',
    resumed: '再開したキャンペーン: {list}',
    resumeFailed: '再開できなかったキャンペーン: {list}',
    revokeFailed: 'Xでのトークン取り消しに失敗しました: {error}',
    empty: '送信アカウントはまだありません。',
  },
  en: {
    title: 'Sender accounts',
    lead: 'The X accounts that send the campaigns’ result DMs. The daily cap counts by the day in the account’s timezone.',
    connected: 'Linked',
    notLinked: 'Not linked',
    disconnected: 'Disconnected (X refused the authorisation)',
    halted: 'Sending halted',
    sending: 'Can send',
    haltedBecause: 'Halted on {code} ({category})',
    haltedAt: 'Halted at',
    haltedBy: 'Halted by campaign',
    quota: 'DMs today ({day})',
    quotaUse: '{used} / {cap}',
    remaining: '{remaining} left',
    full: 'Cap reached. Next window: {at}',
    noQuota: 'Today’s use is not known: the account has no campaign (cap {cap} a day).',
    campaigns: 'Running campaigns',
    noRunning: 'none',
    endedCount: '{count} ended',
    timezone: 'Timezone',
    tier: 'Tier',
    connect: 'Link to X',
    relink: 'Re-link',
    disconnect: 'Disconnect',
    confirmDisconnect:
      'Disconnect {id} from X? Its token is revoked at X and the account’s campaigns can no longer send.',
    resume: 'Resume sending',
    confirmResume: 'Resume sending on {id}? Clear the restriction or re-link it on X first.',
    openX: 'Open X’s authorize screen',
    linkNote:
      'Open it in a browser signed in to X as the brand’s account and approve (works once, until {at}).',
    resumed: 'Resumed campaigns: {list}',
    resumeFailed: 'Not resumed: {list}',
    revokeFailed: 'Revoking the token at X failed: {error}',
    empty: 'No sender accounts yet.',
  },
} as const;

async function loadAccounts() {
  const list = must(await api.GET('/v1/accounts', { params: { query: { limit: 500 } } })).accounts;
  const campaigns = await loadCampaignIndex(
    list.flatMap((account) => (account.halt?.campaignId ? [account.halt.campaignId] : [])),
  );
  const quotas = await loadQuotas(campaigns.values());
  return { accounts: list, campaigns: [...campaigns.values()], quotas };
}

function connection(account: Account): {
  key: 'connected' | 'notLinked' | 'disconnected';
  tone: Tone;
} {
  if (account.status === 'disconnected') return { key: 'disconnected', tone: 'danger' };
  return account.linked ? { key: 'connected', tone: 'ok' } : { key: 'notLinked', tone: 'warn' };
}

function QuotaLine({ account, quota }: { account: Account; quota: DayQuota | undefined }) {
  const t = useT(messages);
  const lang = useLang();
  if (!quota) {
    return (
      <p class="muted small">{t('noQuota', { cap: formatNumber(account.dmDailyCap, lang) })}</p>
    );
  }
  return (
    <div class="quota" data-quota-used={quota.used} data-quota-cap={quota.cap}>
      <div class="quota-head">
        <span>{t('quota', { day: formatDay(quota.dayKey, lang) })}</span>
        <strong>
          {t('quotaUse', {
            used: formatNumber(quota.used, lang),
            cap: formatNumber(quota.cap, lang),
          })}
        </strong>
      </div>
      <meter
        min={0}
        max={Math.max(quota.cap, 1)}
        value={quota.used}
        high={Math.max(quota.cap, 1) * 0.9}
        optimum={0}
      />
      <div class="muted small">
        {quota.remaining === 0 && quota.nextWindowAt
          ? t('full', { at: formatDateTime(quota.nextWindowAt, quota.timezone, lang) })
          : t('remaining', { remaining: formatNumber(quota.remaining, lang) })}
      </div>
    </div>
  );
}

type Notice = { tone: 'info' | 'error'; text: string; link?: { url: string } };

const ended = new Set(['completed', 'cancelled', 'failed']);

function AccountCard({
  account,
  campaigns,
  quota,
  onDone,
}: {
  account: Account;
  campaigns: CampaignBrief[];
  quota: DayQuota | undefined;
  onDone: () => void;
}) {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const [notices, setNotices] = useState<Notice[]>([]);
  const state = connection(account);
  const handle = account.handle.startsWith('~') ? null : `@${account.handle}`;
  const mine = campaigns.filter((c) => c.accountId === account.id);
  const running = mine.filter((c) => !ended.has(c.phase));
  const haltWords = account.halt?.error;
  const haltedBy = account.halt?.campaignId
    ? campaigns.find((c) => c.id === account.halt?.campaignId)
    : undefined;
  return (
    <article class="card account" data-row-id={account.id}>
      <header class="account-head">
        <div>
          <h2 class="account-name">{account.displayName ?? account.id}</h2>
          <div class="muted small">
            {account.id}
            {handle && <> · {handle}</>}
          </div>
        </div>
        <div class="account-badges">
          <Badge tone={state.tone}>{t(state.key)}</Badge>{' '}
          {account.halt ? (
            <Badge tone="danger">{t('halted')}</Badge>
          ) : (
            state.key === 'connected' && <Badge tone="ok">{t('sending')}</Badge>
          )}
        </div>
      </header>
      {account.halt && (
        <div class="error-note" data-halt-code={account.halt.code}>
          <strong>
            {haltWords
              ? pick(lang, haltWords.reason)
              : t('haltedBecause', {
                  code: account.halt.code,
                  category: categoryLabel(account.halt.category, lang),
                })}
          </strong>
          {haltWords && <div class="small">{pick(lang, haltWords.remedy)}</div>}
          {haltWords && (
            <div class="small">
              <code>{account.halt.code}</code> · {categoryLabel(account.halt.category, lang)}
            </div>
          )}
          <div class="small">
            {t('haltedAt')}: {formatDateTime(account.haltedAt, account.timezone, lang)}
            {account.halt.campaignId && (
              <>
                {' · '}
                {t('haltedBy')}:{' '}
                <a href={`/console/campaigns/${encodeURIComponent(account.halt.campaignId)}`}>
                  {haltedBy?.name ?? account.halt.campaignId}
                </a>
              </>
            )}
          </div>
        </div>
      )}
      <QuotaLine account={account} quota={quota} />
      <dl class="account-facts small">
        <dt>{t('timezone')}</dt>
        <dd>{account.timezone}</dd>
        <dt>{t('tier')}</dt>
        <dd>{account.tier}</dd>
        <dt>{t('campaigns')}</dt>
        <dd>
          {running.length === 0 && <span>{t('noRunning')}</span>}
          {running.map((c) => (
            <div key={c.id}>
              <a href={`/console/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</a>{' '}
              <span class="muted">({phaseLabel(c.phase, lang)})</span>
            </div>
          ))}
          {mine.length > running.length && (
            <div class="muted">{t('endedCount', { count: mine.length - running.length })}</div>
          )}
        </dd>
      </dl>
      {(can('admin') || (can('operate') && account.halt)) && (
        <div class="actions">
          {can('admin') && (
            <ActionButton
              action="connect"
              tone={account.linked && account.status !== 'disconnected' ? 'secondary' : 'primary'}
              run={async () =>
                must(
                  await api.POST('/v1/accounts/{id}/connect', {
                    params: { path: { id: account.id } },
                    body: {},
                  }),
                )
              }
              onDone={(answer) => {
                const { authorizeUrl, expiresAt } = answer as {
                  authorizeUrl: string;
                  expiresAt: string;
                };
                window.open(authorizeUrl, '_blank', 'noopener');
                setNotices([
                  {
                    tone: 'info',
                    text: t('linkNote', { at: formatDateTime(expiresAt, account.timezone, lang) }),
                    link: { url: authorizeUrl },
                  },
                ]);
              }}
            >
              {account.linked ? t('relink') : t('connect')}
            </ActionButton>
          )}
          {can('operate') && account.halt && (
            <ActionButton
              action="resume-account"
              confirm={t('confirmResume', { id: account.id })}
              run={async () =>
                must(
                  await api.POST('/v1/accounts/{id}/resume', {
                    params: { path: { id: account.id } },
                    body: {},
                  }),
                )
              }
              onDone={(answer) => {
                const { resumedCampaigns, failedCampaigns } = answer as {
                  resumedCampaigns: string[];
                  failedCampaigns: { campaignId: string; code: string }[];
                };
                setNotices([
                  ...(resumedCampaigns.length
                    ? [
                        {
                          tone: 'info' as const,
                          text: t('resumed', { list: resumedCampaigns.join(', ') }),
                        },
                      ]
                    : []),
                  ...(failedCampaigns.length
                    ? [
                        {
                          tone: 'error' as const,
                          text: t('resumeFailed', {
                            list: failedCampaigns
                              .map((f) => `${f.campaignId} (${f.code})`)
                              .join(', '),
                          }),
                        },
                      ]
                    : []),
                ]);
                onDone();
              }}
            >
              {t('resume')}
            </ActionButton>
          )}
          {can('admin') && account.linked && (
            <ActionButton
              action="disconnect"
              tone="danger"
              confirm={t('confirmDisconnect', { id: account.id })}
              run={async () =>
                must(
                  await api.DELETE('/v1/accounts/{id}/connection', {
                    params: { path: { id: account.id } },
                  }),
                )
              }
              onDone={(answer) => {
                const { revokedAtX, revokeError } = answer as {
                  revokedAtX: boolean;
                  revokeError?: string;
                };
                setNotices(
                  revokedAtX || !revokeError
                    ? []
                    : [{ tone: 'error', text: t('revokeFailed', { error: revokeError }) }],
                );
                onDone();
              }}
            >
              {t('disconnect')}
            </ActionButton>
          )}
        </div>
      )}
      {notices.map((notice, index) => (
        <p key={index} class={notice.tone === 'error' ? 'error-note' : 'notice'}>
          {notice.text}
          {notice.link && (
            <>
              {' '}
              <a
                href={notice.link.url}
                target="_blank"
                rel="noopener noreferrer"
                data-authorize-url
              >
                {t('openX')}
              </a>
            </>
          )}
        </p>
      ))}
    </article>
  );
}

export default function AccountsPage() {
  const t = useT(messages);
  const { data, error, loading, reload } = usePolled(loadAccounts, [], 10_000);
  return (
    <section data-page="accounts">
      <div class="page-head">
        <h1>{t('title')}</h1>
      </div>
      <p class="muted">{t('lead')}</p>
      <ErrorNote error={error} />
      {loading && !data ? (
        <Loading />
      ) : !data?.accounts.length ? (
        <Empty>{t('empty')}</Empty>
      ) : (
        <div class="account-list" data-table="accounts">
          {data.accounts.map((account) => (
            <AccountCard
              key={account.id}
              account={account}
              campaigns={data.campaigns}
              quota={data.quotas.get(account.id)}
              onDone={() => void reload()}
            />
          ))}
        </div>
      )}
    </section>
  );
}
