/** Sections of the form: basics and sender, post and entry rules, exclusions, prizes and stock. */
import { useT } from '../../i18n';
import { getAt, issuesAt } from './draft';
import {
  CheckField,
  FieldIssues,
  ListField,
  NumberField,
  SelectField,
  TextField,
  useForm,
} from './fields';
import { messages } from './messages';

export interface AccountOption {
  id: string;
  handle: string;
}

export function Section({
  id,
  title,
  children,
}: {
  id: string;
  title: string;
  children: preact.ComponentChildren;
}) {
  return (
    <fieldset class="card form-section" data-section={id}>
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

export function BasicsSection({
  accounts,
  campaignId,
  setCampaignId,
}: {
  accounts: readonly AccountOption[];
  campaignId: string;
  setCampaignId: (id: string) => void;
}) {
  const t = useT(messages);
  return (
    <Section id="basics" title={t('secBasics')}>
      <div class="grid-2">
        <SelectField
          path="kind"
          label={t('kind')}
          options={[
            { value: 'instant_win', label: t('kindInstant') },
            { value: 'drawn', label: t('kindDrawn') },
          ]}
        />
        <TextField path="name" label={t('name')} required />
        <SelectField
          path="accountId"
          label={t('account')}
          empty={t('accountNone')}
          options={accounts.map((account) => ({
            value: account.id,
            label: `@${account.handle} (${account.id})`,
          }))}
        />
        <label class="field" data-field="id">
          <span>{t('campaignId')}</span>
          <input
            type="text"
            name="id"
            value={campaignId}
            pattern="[a-z0-9][a-z0-9-]{2,62}"
            onInput={(event) => setCampaignId(event.currentTarget.value)}
          />
          <span class="muted small field-hint">{t('campaignIdHint')}</span>
        </label>
      </div>
      <ListField
        path="testAccounts"
        label={t('testAccounts')}
        hint={t('testAccountsHint')}
        rows={2}
      />
    </Section>
  );
}

const ruleTypes = ['repost', 'follow', 'like', 'reply', 'quote', 'dm_keyword'] as const;

export function RulesSection() {
  const t = useT(messages);
  const { draft, update, issues } = useForm();
  const rules = getAt(draft, 'entryRules.all');
  const list = Array.isArray(rules) ? (rules as Record<string, unknown>[]) : [];
  return (
    <Section id="rules" title={t('secRules')}>
      <TextField path="post.tweetId" label={t('tweetId')} hint={t('tweetIdHint')} />
      <p class="muted small">{t('allRules')}</p>
      <FieldIssues path="entryRules" />
      <FieldIssues path="entryRules.all" />
      {list.map((rule, index) => {
        const path = `entryRules.all.${index}`;
        const type = typeof rule.type === 'string' ? rule.type : '';
        return (
          <div class="sub-card" key={index} data-rule={index}>
            <div class="sub-head">
              <strong>
                {t('rule')} {index + 1}
              </strong>
              <button
                type="button"
                class="button button-secondary"
                data-action="remove-rule"
                onClick={() => update(path, undefined)}
              >
                {t('remove')}
              </button>
            </div>
            <label class="field" data-field={`${path}.type`}>
              <span>{t('ruleType')}</span>
              <select
                name={`${path}.type`}
                value={type}
                aria-invalid={issuesAt(issues, `${path}.type`).length > 0}
                onChange={(event) => update(path, { type: event.currentTarget.value })}
              >
                {!ruleTypes.includes(type as (typeof ruleTypes)[number]) && (
                  <option value={type}>{type || '—'}</option>
                )}
                {ruleTypes.map((option) => (
                  <option key={option} value={option}>
                    {t(`rule_${option}`)}
                  </option>
                ))}
              </select>
              <FieldIssues path={`${path}.type`} />
            </label>
            <FieldIssues path={path} />
            {type === 'follow' && (
              <ListField path={`${path}.alsoUserIds`} label={t('alsoUserIds')} rows={2} />
            )}
            {(type === 'reply' || type === 'quote') && (
              <div class="grid-2">
                <ListField path={`${path}.keywords`} label={t('keywords')} rows={2} />
                <ListField path={`${path}.hashtags`} label={t('hashtags')} rows={2} />
              </div>
            )}
            {type === 'dm_keyword' && <TextField path={`${path}.keyword`} label={t('keyword')} />}
          </div>
        );
      })}
      <button
        type="button"
        class="button button-secondary"
        data-action="add-rule"
        onClick={() => update(`entryRules.all.${list.length}`, { type: 'repost' })}
      >
        {t('addRule')}
      </button>
    </Section>
  );
}

export function ExclusionsSection() {
  const t = useT(messages);
  return (
    <Section id="exclusions" title={t('secExclusions')}>
      <div class="grid-2">
        <ListField path="exclusions.staffUserIds" label={t('staffUserIds')} rows={2} />
        <ListField path="exclusions.blockedUserIds" label={t('blockedUserIds')} rows={2} />
        <ListField
          path="exclusions.excludePreviousWinnersOf"
          label={t('excludePreviousWinnersOf')}
          rows={2}
        />
        <NumberField
          path="exclusions.maxEntriesPerUser"
          placeholder={1}
          label={t('maxEntriesPerUser')}
          min={1}
        />
      </div>
      <CheckField path="exclusions.excludeProtected" label={t('excludeProtected')} defaultValue />
      <CheckField path="exclusions.excludeSuspended" label={t('excludeSuspended')} defaultValue />
    </Section>
  );
}

export function PrizesSection() {
  const t = useT(messages);
  const { draft, update } = useForm();
  const prizes = getAt(draft, 'prizes');
  const list = Array.isArray(prizes) ? prizes : [];
  const instant = draft.kind === 'instant_win';
  return (
    <Section id="prizes" title={t('secPrizes')}>
      <FieldIssues path="prizes" />
      {list.map((_prize, index) => {
        const path = `prizes.${index}`;
        return (
          <div class="sub-card" key={index} data-prize={index}>
            <div class="sub-head">
              <strong>
                {t('prize')} {index + 1}
              </strong>
              <button
                type="button"
                class="button button-secondary"
                data-action="remove-prize"
                onClick={() => update(path, undefined)}
              >
                {t('remove')}
              </button>
            </div>
            <FieldIssues path={path} />
            <div class="grid-2">
              <TextField path={`${path}.id`} label={t('prizeId')} />
              <TextField path={`${path}.name`} label={t('prizeName')} />
              <NumberField path={`${path}.stock`} label={t('stock')} min={0} />
              <NumberField path={`${path}.valueYen`} label={t('valueYen')} min={0} />
              {(instant || getAt(draft, `${path}.odds`) !== undefined) && (
                <NumberField
                  path={`${path}.odds`}
                  label={t('odds')}
                  hint={t('oddsHint')}
                  step="any"
                  min={0}
                  max={1}
                />
              )}
            </div>
            <ListField path={`${path}.codes`} label={t('codes')} hint={t('codesHint')} rows={3} />
          </div>
        );
      })}
      <button
        type="button"
        class="button button-secondary"
        data-action="add-prize"
        onClick={() =>
          update(`prizes.${list.length}`, {
            id: `prize-${list.length + 1}`,
            name: '',
            stock: 1,
            valueYen: 0,
          })
        }
      >
        {t('addPrize')}
      </button>
      {draft.kind === 'drawn' && (
        <div class="grid-2">
          <NumberField path="draw.winners" label={t('winners')} min={1} />
          <NumberField path="draw.alternates" placeholder={0} label={t('alternates')} min={0} />
        </div>
      )}
    </Section>
  );
}
