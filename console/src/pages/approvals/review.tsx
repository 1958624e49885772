/** What an approver reviews: preflight findings, the rehearsal per test account, the diff. */
import { Badge } from '../../components/Badge';
import { Empty } from '../../components/Loading';
import { Table } from '../../components/Table';
import { formatDateTime } from '../../format';
import { type Lang, pick, useLang, useT } from '../../i18n';
import { messages } from './messages';
import type { StoredPreflight } from './preflight-data';

const severityTone = { blocking: 'danger', warning: 'warn', info: 'info' } as const;
const severityOrder = { blocking: 0, warning: 1, info: 2 } as const;

export function Findings({
  preflight,
  timeZone,
}: {
  preflight: StoredPreflight;
  timeZone: string | undefined;
}) {
  const t = useT(messages);
  const lang = useLang();
  const findings = [...preflight.findings].sort(
    (a, b) => severityOrder[a.severity] - severityOrder[b.severity],
  );
  return (
    <section class="card review-section" data-section="findings">
      <h2>{t('findings')}</h2>
      {preflight.checkedAt && (
        <p class="muted small">
          {t('checkedAt', {
            at: formatDateTime(preflight.checkedAt, timeZone, lang),
            round: preflight.round ?? '—',
          })}
        </p>
      )}
      {findings.length === 0 ? (
        <Empty>{t('noFindings')}</Empty>
      ) : (
        <Table
          name="findings"
          head={
            <tr>
              <th>{t('severity')}</th>
              <th>{t('message')}</th>
              <th>{t('code')}</th>
            </tr>
          }
        >
          {findings.map((finding, index) => (
            <tr
              key={index}
              data-row-id={`${finding.code}:${index}`}
              data-severity={finding.severity}
            >
              <td>
                <Badge tone={severityTone[finding.severity]}>
                  {t(`severity_${finding.severity}`)}
                </Badge>
              </td>
              <td class="finding-text">
                {pick(lang, finding)}
                {finding.path && (
                  <div class="muted small">
                    {t('where')}: <code>{finding.path}</code>
                  </div>
                )}
              </td>
              <td>
                <code>{finding.code}</code>
                {finding.errorCode && (
                  <div>
                    <code>{finding.errorCode}</code>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}

export function Rehearsal({
  preflight,
  labels,
}: {
  preflight: StoredPreflight;
  labels: ReadonlyMap<string, string>;
}) {
  const t = useT(messages);
  const byAccount = new Map<string, StoredPreflight['rehearsal']>();
  for (const result of preflight.rehearsal) {
    byAccount.set(result.testUserId, [...(byAccount.get(result.testUserId) ?? []), result]);
  }
  const templateLabel = (template: string) =>
    template === 'win.dm' ? t('tpl_win') : template === 'lose.dm' ? t('tpl_lose') : template;
  return (
    <section class="card review-section" data-section="rehearsal">
      <h2>{t('rehearsal')}</h2>
      {byAccount.size === 0 ? (
        <Empty>{t('noRehearsal')}</Empty>
      ) : (
        <Table
          name="rehearsal"
          head={
            <tr>
              <th>{t('testAccount')}</th>
              <th>{t('template')}</th>
              <th>{t('result')}</th>
              <th>{t('dmEvent')}</th>
            </tr>
          }
        >
          {[...byAccount.entries()].flatMap(([testUserId, results]) =>
            results.map((result, index) => (
              <tr
                key={`${testUserId}:${result.template}`}
                data-row-id={`${testUserId}:${result.template}`}
                data-arrived={String(result.arrived)}
              >
                {index === 0 && (
                  <td rowSpan={results.length}>
                    {labels.get(testUserId) && <div>{labels.get(testUserId)}</div>}
                    <code>{testUserId}</code>
                  </td>
                )}
                <td>{templateLabel(result.template)}</td>
                <td>
                  {result.arrived ? (
                    <Badge tone="ok">{t('arrived')}</Badge>
                  ) : (
                    <Badge tone="danger">{t('notArrived')}</Badge>
                  )}
                  {result.code && (
                    <div>
                      <code>{result.code}</code>
                    </div>
                  )}
                  {result.earlierCopy && <div class="muted small">{t('earlierCopy')}</div>}
                </td>
                <td>{result.dmEventId ? <code>{result.dmEventId}</code> : '—'}</td>
              </tr>
            )),
          )}
        </Table>
      )}
    </section>
  );
}

export interface ConfigDiff {
  approvedVersion: number | null;
  currentVersion: number;
  changes: {
    path: string;
    kind: 'added' | 'removed' | 'changed';
    before?: unknown;
    after?: unknown;
  }[];
  changedBy: string[];
}

/**
 * A value as the approver reads it: an instant (`schedule.startAt`…) in the campaign's timezone,
 * text as is, anything else as JSON, long lists shortened.
 */
function shown(value: unknown, path: string, timeZone: string | undefined, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && /At$/.test(path) && !Number.isNaN(Date.parse(value))) {
    return `${formatDateTime(value, timeZone, lang)} (${value})`;
  }
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
  return json.length > 400
    ? `${json.slice(0, 400)} … (${Array.isArray(value) ? value.length : ''})`
    : json;
}

const kindTone = { added: 'ok', removed: 'danger', changed: 'warn' } as const;

export function DiffView({ diff, timeZone }: { diff: ConfigDiff; timeZone: string | undefined }) {
  const t = useT(messages);
  const lang = useLang();
  return (
    <section class="card review-section" data-section="diff">
      <h2>{t('diff')}</h2>
      <p class="muted small">
        {diff.approvedVersion === null
          ? t('diffFirst', { current: diff.currentVersion })
          : t('diffSince', { approved: diff.approvedVersion, current: diff.currentVersion })}
        {diff.changedBy.length > 0 && <> {t('changedBy', { who: diff.changedBy.join(', ') })}</>}
      </p>
      {diff.changes.length === 0 ? (
        <Empty>{t('noChanges')}</Empty>
      ) : (
        <Table
          name="diff"
          head={
            <tr>
              <th>{t('path')}</th>
              <th>{t('kind')}</th>
              {diff.approvedVersion !== null && <th>{t('before')}</th>}
              <th>{t('after')}</th>
            </tr>
          }
        >
          {diff.changes.map((change) => (
            <tr key={change.path} data-row-id={change.path} data-kind={change.kind}>
              <td>
                <code>{change.path}</code>
              </td>
              <td>
                <Badge tone={kindTone[change.kind]}>{t(`kind_${change.kind}`)}</Badge>
              </td>
              {diff.approvedVersion !== null && (
                <td class="diff-value diff-before">
                  {shown(change.before, change.path, timeZone, lang)}
                </td>
              )}
              <td class="diff-value diff-after">
                {shown(change.after, change.path, timeZone, lang)}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
