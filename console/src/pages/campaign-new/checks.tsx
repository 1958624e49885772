/** The side panel: the check's verdict with every issue, and the 景品表示法 check. */
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { formatNumber } from '../../format';
import { pick, useLang, useT } from '../../i18n';
import type { ApiError } from '../../api/client';
import { messages } from './messages';
import type { ComplianceCheck, Validation } from './validation';

/** The field an issue belongs to: the nearest element with its path (or a parent path). */
function focusField(path: string) {
  const parts = path.split('.');
  for (let length = parts.length; length >= 0; length -= 1) {
    const candidate = parts.slice(0, length).join('.');
    const element = document.querySelector<HTMLElement>(
      candidate === '' ? '[data-section="basics"]' : `[data-field="${CSS.escape(candidate)}"]`,
    );
    if (element) {
      element.scrollIntoView({ behavior: 'smooth', block: 'center' });
      element.querySelector<HTMLElement>('input, select, textarea')?.focus({ preventScroll: true });
      return;
    }
  }
}

export function CheckSummary({
  result,
  error,
  pending,
}: {
  result: Validation | undefined;
  error: ApiError | undefined;
  pending: boolean;
}) {
  const t = useT(messages);
  const lang = useLang();
  return (
    <section
      class="card check-card"
      data-check={result ? (result.valid ? 'valid' : 'invalid') : 'none'}
    >
      <h2>
        {t('checkTitle')} {pending && <span class="muted small">{t('checking')}</span>}
      </h2>
      <ErrorNote error={error} />
      {!result ? (
        <p class="muted">{t('notChecked')}</p>
      ) : result.valid ? (
        <Badge tone="ok">{t('valid')}</Badge>
      ) : (
        <>
          <Badge tone="danger">{t('invalid', { count: result.issues.length })}</Badge>
          <ul class="issue-list" data-table="issues">
            {result.issues.map((issue, index) => (
              <li key={index} data-row-id={`${issue.path}:${issue.code}`}>
                <button type="button" class="link" onClick={() => focusField(issue.path)}>
                  <code>{issue.path || t('wholeConfig')}</code>
                </button>{' '}
                {pick(lang, issue.message)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function CompliancePanel({ compliance }: { compliance: ComplianceCheck | undefined }) {
  const t = useT(messages);
  const lang = useLang();
  if (!compliance) return null;
  const state = !compliance.checked ? 'waiting' : compliance.ok ? 'ok' : 'blocking';
  return (
    <section class="card compliance-card" data-compliance={state}>
      <h2>
        {t('complianceTitle')}{' '}
        <Badge tone={state === 'ok' ? 'ok' : state === 'blocking' ? 'danger' : 'neutral'}>
          {state === 'ok'
            ? t('complianceOk')
            : state === 'blocking'
              ? t('complianceBlocking')
              : t('complianceWaiting')}
        </Badge>
      </h2>
      <p>{pick(lang, compliance.message)}</p>
      {compliance.checked && (
        <dl class="figures">
          <dt>{t('totalValue')}</dt>
          <dd>¥{formatNumber(compliance.totalValueYen, lang)}</dd>
          <dt>{t('maxPrize')}</dt>
          <dd>¥{formatNumber(compliance.maxPrizeValueYen, lang)}</dd>
        </dl>
      )}
      {compliance.findings.length > 0 && (
        <ul class="finding-list">
          {compliance.findings.map((finding, index) => (
            <li key={index} data-finding={finding.code} data-severity={finding.severity}>
              <Badge tone={finding.severity === 'blocking' ? 'danger' : 'warn'}>
                {t(`severity_${finding.severity}`)}
              </Badge>{' '}
              {pick(lang, finding.message)}
              {finding.limitYen !== undefined && (
                <div class="muted small">
                  {t('limit')} ¥{formatNumber(finding.limitYen, lang)}
                  {finding.actualYen !== undefined &&
                    ` · ${t('actual')} ¥${formatNumber(finding.actualYen, lang)}`}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
