/**
 * New campaign: a form for every field of the configuration, checked by the API as the operator
 * types (POST /v1/campaign-configs/validate: issues at their fields in the reader's language, the
 * 景品表示法 check, template previews), then created with POST /v1/campaigns.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, must } from '../../api/client';
import { ActionButton } from '../../components/ActionButton';
import { useLang, useT } from '../../i18n';
import { useSession } from '../../session';
import { CheckSummary, CompliancePanel } from './checks';
import { type Draft, setAt } from './draft';
import { FormContext } from './fields';
import { JsonSection } from './json-section';
import { messages } from './messages';
import { type Preset, presetDraft, presetName, presets } from './presets';
import {
  BudgetSection,
  ClaimsSection,
  ComplianceSection,
  PacingSection,
  ScheduleSection,
  TemplatesSection,
} from './sections-delivery';
import {
  type AccountOption,
  BasicsSection,
  ExclusionsSection,
  PrizesSection,
  RulesSection,
} from './sections-entry';
import { useValidation } from './validation';
import './campaign-new.css';

const blankDraft = (accountId: string | undefined): Draft => ({
  kind: 'drawn',
  name: '',
  ...(accountId ? { accountId } : {}),
  post: { tweetId: '' },
  entryRules: { all: [{ type: 'repost' }, { type: 'follow' }] },
  prizes: [{ id: 'prize-1', name: '', stock: 1, valueYen: 0 }],
  templates: { win: { dm: '' }, lose: {} },
  schedule: { timezone: 'Asia/Tokyo' },
  compliance: { premiumKind: 'open' },
  draw: { winners: 1, alternates: 0 },
});

async function loadAccounts(): Promise<AccountOption[]> {
  const { accounts } = must(await api.GET('/v1/accounts', { params: { query: { limit: 200 } } }));
  return accounts.map(({ id, handle }) => ({ id, handle }));
}

export default function NewCampaignPage() {
  const t = useT(messages);
  const lang = useLang();
  const { can } = useSession();
  const { route } = useLocation();
  const [accounts, setAccounts] = useState<AccountOption[]>([]);
  const [draft, setDraft] = useState<Draft>(() => blankDraft(undefined));
  const [campaignId, setCampaignId] = useState('');
  const { result, error, pending } = useValidation(draft);

  useEffect(() => {
    loadAccounts()
      .then((list) => {
        setAccounts(list);
        const first = list[0]?.id;
        setDraft((current) =>
          current.accountId || !first ? current : { ...current, accountId: first },
        );
      })
      .catch(() => setAccounts([]));
  }, []);

  const update = useCallback(
    (path: string, value: unknown) => setDraft((current) => setAt(current, path, value)),
    [],
  );
  const form = useMemo(
    () => ({ draft, update, issues: result?.issues ?? [] }),
    [draft, update, result],
  );
  const choose = (preset: Preset | null) => {
    const accountId = typeof draft.accountId === 'string' ? draft.accountId : accounts[0]?.id;
    setDraft(preset ? presetDraft(preset, new Date(), accountId) : blankDraft(accountId));
  };

  if (!can('operate')) {
    return (
      <section data-page="campaign-new">
        <h1>{t('title')}</h1>
        <p class="notice">{t('notAllowed')}</p>
      </section>
    );
  }

  const create = async () => {
    const { campaign } = must(
      await api.POST('/v1/campaigns', {
        body: {
          config: draft as never,
          start: true,
          ...(campaignId.trim() ? { id: campaignId.trim() } : {}),
        },
      }),
    );
    return campaign.id;
  };

  return (
    <section data-page="campaign-new" lang={lang}>
      <div class="page-head">
        <h1>{t('title')}</h1>
      </div>
      <p class="muted">{t('intro')}</p>
      <div class="presets card" data-presets>
        <strong>{t('presets')}</strong>
        <div class="actions">
          {presets.map((preset) => (
            <button
              type="button"
              key={preset.id}
              class="button button-secondary"
              data-action="preset"
              data-preset={preset.id}
              onClick={() => choose(preset)}
            >
              {presetName(preset, lang)}
            </button>
          ))}
          <button
            type="button"
            class="button button-secondary"
            data-action="preset"
            data-preset="blank"
            onClick={() => choose(null)}
          >
            {t('blank')}
          </button>
        </div>
        <span class="muted small">{t('presetHint')}</span>
      </div>
      <FormContext.Provider value={form}>
        <div class="new-campaign">
          <form class="new-campaign-form" onSubmit={(event) => event.preventDefault()} novalidate>
            <BasicsSection
              accounts={accounts}
              campaignId={campaignId}
              setCampaignId={setCampaignId}
            />
            <RulesSection />
            <ExclusionsSection />
            <PrizesSection />
            <ScheduleSection />
            <TemplatesSection
              previews={result?.previews ?? []}
              sampleVariables={result?.sampleVariables}
            />
            <ClaimsSection />
            <PacingSection />
            <BudgetSection />
            <ComplianceSection />
            <JsonSection draft={draft} setDraft={setDraft} />
          </form>
          <aside class="new-campaign-side">
            <CheckSummary result={result} error={error} pending={pending} />
            <CompliancePanel compliance={result?.compliance} />
            <section class="card create-card">
              <ActionButton
                action="create"
                run={create}
                disabled={!result?.valid || pending}
                onDone={(id) => route(`/console/campaigns/${encodeURIComponent(String(id))}`)}
              >
                {t('create')}
              </ActionButton>
              <p class="muted small">{result?.valid ? t('createHint') : t('fixFirst')}</p>
            </section>
          </aside>
        </div>
      </FormContext.Provider>
    </section>
  );
}
