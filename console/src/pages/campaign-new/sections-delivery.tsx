/** Sections of the form: schedule, templates with previews, claims, pacing, budget, 景品表示法. */
import { useLang, useT } from '../../i18n';
import { getAt, issuesAt } from './draft';
import { DateTimeField, FieldIssues, NumberField, SelectField, TextField, useForm } from './fields';
import { messages } from './messages';
import { Section } from './sections-entry';
import type { Preview } from './validation';

const timeZones = [
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Taipei',
  'Asia/Shanghai',
  'Asia/Singapore',
  'Asia/Bangkok',
  'Australia/Sydney',
  'Europe/London',
  'Europe/Paris',
  'America/New_York',
  'America/Los_Angeles',
  'UTC',
];

export function campaignZone(draft: Record<string, unknown>): string {
  const zone = getAt(draft, 'schedule.timezone');
  return typeof zone === 'string' && zone !== '' ? zone : 'Asia/Tokyo';
}

export function ScheduleSection() {
  const t = useT(messages);
  const { draft } = useForm();
  const zone = campaignZone(draft);
  return (
    <Section id="schedule" title={t('secSchedule')}>
      <div class="grid-2">
        <SelectField
          path="schedule.timezone"
          label={t('timezone')}
          options={timeZones.map((value) => ({ value, label: value }))}
          empty="Asia/Tokyo"
        />
        <NumberField
          path="schedule.claimDeadlineHours"
          label={t('claimDeadlineHours')}
          hint={t('claimDeadlineHint')}
          min={1}
        />
        <DateTimeField
          path="schedule.startAt"
          label={`${t('startAt')} (${t('inZone', { zone })})`}
          timeZone={zone}
        />
        <DateTimeField
          path="schedule.endAt"
          label={`${t('endAt')} (${t('inZone', { zone })})`}
          timeZone={zone}
        />
      </div>
      <FieldIssues path="schedule" />
    </Section>
  );
}

function PreviewBox({ preview }: { preview: Preview | undefined }) {
  const t = useT(messages);
  if (!preview) return null;
  return (
    <div class="preview" data-preview={preview.template}>
      <div class="muted small">{t('preview')}</div>
      {preview.text !== null ? (
        <pre class="preview-text">{preview.text}</pre>
      ) : (
        <p class="field-error">
          {t('previewUnknown', { names: preview.unknownVariables.map((v) => `{${v}}`).join(' ') })}
        </p>
      )}
      {preview.weightedLength !== null && preview.maxWeightedLength !== null && (
        <div
          class={
            preview.weightedLength > preview.maxWeightedLength ? 'small field-error' : 'muted small'
          }
        >
          {t('weighted', { length: preview.weightedLength, max: preview.maxWeightedLength })}
        </div>
      )}
    </div>
  );
}

const templateKinds = ['win', 'lose', 'followUp'] as const;
const channels = ['dm', 'reply'] as const;

export function TemplatesSection({
  previews,
  sampleVariables,
}: {
  previews: readonly Preview[];
  sampleVariables: Record<string, string> | undefined;
}) {
  const t = useT(messages);
  const vars = Object.entries(sampleVariables ?? {})
    .map(([name, value]) => `{${name}} = ${value}`)
    .join(', ');
  return (
    <Section id="templates" title={t('secTemplates')}>
      <p class="muted small">{t('variables')}</p>
      {vars && (
        <p class="muted small" data-sample-variables>
          {t('sample', { vars })}
        </p>
      )}
      <FieldIssues path="templates" />
      {templateKinds.map((kind) => (
        <div class="sub-card" key={kind}>
          <strong>{t(`tpl_${kind}`)}</strong>
          <FieldIssues path={`templates.${kind}`} />
          <div class="grid-2">
            {channels.map((channel) => {
              const path = `templates.${kind}.${channel}`;
              return (
                <div key={channel}>
                  <TextField path={path} label={t(channel)} multiline />
                  <PreviewBox preview={previews.find((p) => p.template === `${kind}.${channel}`)} />
                </div>
              );
            })}
          </div>
        </div>
      ))}
    </Section>
  );
}

const claimFields = ['name', 'email', 'postalAddress', 'phone'] as const;

export function ClaimsSection() {
  const t = useT(messages);
  const { draft, update, issues } = useForm();
  const claim = getAt(draft, 'claim');
  const on = claim !== undefined;
  const fields = getAt(draft, 'claim.fields');
  const chosen = Array.isArray(fields) ? fields.map(String) : [];
  return (
    <Section id="claims" title={t('secClaims')}>
      <label class="check" data-field="claim">
        <input
          type="checkbox"
          name="claim"
          checked={on}
          onChange={(event) =>
            update('claim', event.currentTarget.checked ? { fields: [] } : undefined)
          }
        />
        <span>
          {t('claimOn')} <span class="muted small">{t('claimHint')}</span>
        </span>
      </label>
      <FieldIssues path="claim" />
      {on && (
        <>
          <div class="field" data-field="claim.fields">
            <span>{t('claimFields')}</span>
            <div class="checks-row">
              {claimFields.map((field) => (
                <label class="check" key={field}>
                  <input
                    type="checkbox"
                    checked={chosen.includes(field)}
                    aria-invalid={issuesAt(issues, 'claim.fields').length > 0}
                    onChange={(event) => {
                      const checked = event.currentTarget.checked;
                      const next = checked
                        ? [...chosen, field]
                        : chosen.filter((item) => item !== field);
                      update('claim.fields', next);
                    }}
                  />
                  <span>{t(`field_${field}`)}</span>
                </label>
              ))}
            </div>
            <FieldIssues path="claim.fields" />
          </div>
          <NumberField
            path="claim.retentionDays"
            placeholder={30}
            label={t('retentionDays')}
            min={1}
          />
        </>
      )}
    </Section>
  );
}

export function PacingSection() {
  const t = useT(messages);
  return (
    <Section id="pacing" title={t('secPacing')}>
      <div class="grid-3">
        <NumberField
          path="pacing.minGapSeconds"
          placeholder={20}
          label={t('minGapSeconds')}
          min={0}
          step="any"
        />
        <NumberField
          path="pacing.jitterSeconds"
          placeholder={10}
          label={t('jitterSeconds')}
          min={0}
          step="any"
        />
        <NumberField
          path="safety.errorRateThreshold"
          placeholder={0.3}
          label={t('errorRateThreshold')}
          min={0}
          max={1}
          step="any"
        />
        <NumberField
          path="safety.errorRateWindow"
          placeholder={20}
          label={t('errorRateWindow')}
          min={2}
        />
        <NumberField
          path="safety.errorRateMinAttempts"
          placeholder={10}
          label={t('errorRateMinAttempts')}
          min={1}
        />
      </div>
    </Section>
  );
}

export function BudgetSection() {
  const t = useT(messages);
  return (
    <Section id="budget" title={t('secBudget')}>
      <div class="grid-2">
        <NumberField
          path="budget.usd"
          label={t('budgetUsd')}
          hint={t('budgetHint')}
          min={0}
          step="any"
        />
        <NumberField
          path="expectedEntries"
          label={t('expectedEntries')}
          hint={t('expectedEntriesHint')}
          min={0}
        />
      </div>
      <FieldIssues path="budget" />
    </Section>
  );
}

const premiumKinds = ['open', 'general', 'joint', 'all_comers'] as const;

export function ComplianceSection() {
  const t = useT(messages);
  const lang = useLang();
  const { draft } = useForm();
  const kind = getAt(draft, 'compliance.premiumKind');
  const needsTransaction = kind === 'general' || kind === 'all_comers';
  const needsSales = kind === 'general' || kind === 'joint';
  return (
    <Section id="compliance" title={t('secCompliance')}>
      <SelectField
        path="compliance.premiumKind"
        label={t('premiumKind')}
        options={premiumKinds.map((value) => ({ value, label: t(`premium_${value}`) }))}
      />
      <div class="grid-2" lang={lang}>
        {(needsTransaction || getAt(draft, 'compliance.transactionValueYen') !== undefined) && (
          <NumberField
            path="compliance.transactionValueYen"
            label={t('transactionValueYen')}
            min={0}
          />
        )}
        {(needsSales || getAt(draft, 'compliance.expectedSalesYen') !== undefined) && (
          <NumberField path="compliance.expectedSalesYen" label={t('expectedSalesYen')} min={0} />
        )}
      </div>
      <FieldIssues path="compliance" />
    </Section>
  );
}
