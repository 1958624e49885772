/**
 * The form's fields. Each one edits one path of the configuration and shows, right under it, the
 * API's issues at that path in the reader's language (`data-issue-path` for tests).
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { pick, useLang } from '../../i18n';
import { type Draft, getAt, type Issue, issuesAt, type Path } from './draft';
import { isoFromLocalInput, localInputValue } from './zoned-time';

export interface FormState {
  draft: Draft;
  update: (path: Path, value: unknown) => void;
  issues: readonly Issue[];
}

export const FormContext = createContext<FormState>({
  draft: {},
  update: () => undefined,
  issues: [],
});

export function useForm(): FormState {
  return useContext(FormContext);
}

/** The issues at `path`, each as a line under its field. */
export function FieldIssues({ path }: { path: Path }) {
  const lang = useLang();
  const { issues } = useForm();
  const here = issuesAt(issues, path);
  if (here.length === 0) return null;
  return (
    <ul class="field-issues">
      {here.map((issue, index) => (
        <li
          key={index}
          class="field-error"
          data-issue-path={issue.path}
          data-issue-code={issue.code}
        >
          {pick(lang, issue.message)}
        </li>
      ))}
    </ul>
  );
}

function Field({
  path,
  label,
  hint,
  children,
}: {
  path: Path;
  label: string;
  hint?: string | undefined;
  children: ComponentChildren;
}) {
  const { issues } = useForm();
  const invalid = issuesAt(issues, path).length > 0;
  return (
    <label class={invalid ? 'field field-invalid' : 'field'} data-field={path}>
      <span>{label}</span>
      {children}
      {hint && <span class="muted small field-hint">{hint}</span>}
      <FieldIssues path={path} />
    </label>
  );
}

const emptyToUndefined = (value: string) => (value === '' ? undefined : value);

export function TextField({
  path,
  label,
  hint,
  multiline,
  placeholder,
  required,
}: {
  path: Path;
  label: string;
  hint?: string;
  multiline?: boolean;
  placeholder?: string;
  required?: boolean;
}) {
  const { draft, update, issues } = useForm();
  const value = getAt(draft, path);
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  const props = {
    name: path,
    value: text,
    placeholder,
    required,
    'aria-invalid': issuesAt(issues, path).length > 0,
    onInput: (event: Event) =>
      update(path, emptyToUndefined((event.currentTarget as HTMLInputElement).value)),
  };
  return (
    <Field path={path} label={label} hint={hint}>
      {multiline ? <textarea rows={4} {...props} /> : <input type="text" {...props} />}
    </Field>
  );
}

export function NumberField({
  path,
  label,
  hint,
  step = 1,
  min,
  max,
  placeholder,
}: {
  path: Path;
  label: string;
  hint?: string;
  step?: number | 'any';
  min?: number;
  max?: number;
  /** What the API assumes when the field is left empty. */
  placeholder?: number;
}) {
  const { draft, update, issues } = useForm();
  const value = getAt(draft, path);
  return (
    <Field path={path} label={label} hint={hint}>
      <input
        type="number"
        name={path}
        inputMode="decimal"
        step={step}
        min={min}
        max={max}
        placeholder={placeholder === undefined ? undefined : String(placeholder)}
        value={typeof value === 'number' ? String(value) : ''}
        aria-invalid={issuesAt(issues, path).length > 0}
        onInput={(event) => {
          const raw = event.currentTarget.value;
          update(path, raw === '' ? undefined : Number(raw));
        }}
      />
    </Field>
  );
}

export function SelectField({
  path,
  label,
  hint,
  options,
  empty,
}: {
  path: Path;
  label: string;
  hint?: string;
  options: readonly { value: string; label: string }[];
  /** The label of "nothing chosen" (the key is then absent); none: a value is required. */
  empty?: string;
}) {
  const { draft, update, issues } = useForm();
  const value = getAt(draft, path);
  const current = typeof value === 'string' ? value : '';
  const known = options.some((option) => option.value === current);
  return (
    <Field path={path} label={label} hint={hint}>
      <select
        name={path}
        value={current}
        aria-invalid={issuesAt(issues, path).length > 0}
        onChange={(event) => update(path, emptyToUndefined(event.currentTarget.value))}
      >
        {(empty !== undefined || current === '') && <option value="">{empty ?? '—'}</option>}
        {!known && current !== '' && <option value={current}>{current}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CheckField({
  path,
  label,
  hint,
  defaultValue,
}: {
  path: Path;
  label: string;
  hint?: string;
  /** What the API assumes when the key is absent. */
  defaultValue: boolean;
}) {
  const { draft, update } = useForm();
  const value = getAt(draft, path);
  const checked = typeof value === 'boolean' ? value : defaultValue;
  return (
    <label class="check" data-field={path}>
      <input
        type="checkbox"
        name={path}
        checked={checked}
        onChange={(event) => update(path, event.currentTarget.checked)}
      />
      <span>
        {label}
        {hint && <span class="muted small field-hint"> {hint}</span>}
      </span>
      <FieldIssues path={path} />
    </label>
  );
}

/** A list of words or ids: one a line (commas also separate). Items' own issues show here too. */
export function ListField({
  path,
  label,
  hint,
  rows = 3,
}: {
  path: Path;
  label: string;
  hint?: string;
  rows?: number;
}) {
  const { draft, update, issues } = useForm();
  const lang = useLang();
  const value = getAt(draft, path);
  const items = Array.isArray(value) ? value.map(String) : [];
  const itemIssues = issues.filter((issue) => issue.path.startsWith(`${path}.`));
  return (
    <Field path={path} label={label} hint={hint}>
      <textarea
        name={path}
        rows={rows}
        value={items.join('\n')}
        aria-invalid={issuesAt(issues, path).length + itemIssues.length > 0}
        onInput={(event) => {
          const list = event.currentTarget.value
            .split(/[\n,、]/)
            .map((item) => item.trim())
            .filter((item) => item !== '');
          update(path, list.length > 0 ? list : undefined);
        }}
      />
      {itemIssues.length > 0 && (
        <ul class="field-issues">
          {itemIssues.map((issue, index) => (
            <li
              key={index}
              class="field-error"
              data-issue-path={issue.path}
              data-issue-code={issue.code}
            >
              {pick(lang, issue.message)}
            </li>
          ))}
        </ul>
      )}
    </Field>
  );
}

/** Wall-clock time in the campaign's timezone, stored as ISO-8601 with the zone's offset. */
export function DateTimeField({
  path,
  label,
  hint,
  timeZone,
}: {
  path: Path;
  label: string;
  hint?: string;
  timeZone: string;
}) {
  const { draft, update, issues } = useForm();
  const value = getAt(draft, path);
  return (
    <Field path={path} label={label} hint={hint ?? (typeof value === 'string' ? value : undefined)}>
      <input
        type="datetime-local"
        name={path}
        value={localInputValue(value, timeZone)}
        aria-invalid={issuesAt(issues, path).length > 0}
        onInput={(event) => update(path, isoFromLocalInput(event.currentTarget.value, timeZone))}
      />
    </Field>
  );
}
