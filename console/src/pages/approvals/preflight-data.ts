/**
 * What preflight stored on the campaign (`campaign.preflight`, typed `unknown` by the API: its
 * shape is the worker's StoredPreflight), read defensively: an older or unfinished preflight may
 * lack fields.
 */
export interface PreflightFinding {
  code: string;
  severity: 'blocking' | 'warning' | 'info';
  ja: string;
  en: string;
  path?: string;
  errorCode?: string;
}

export interface RehearsalResult {
  testUserId: string;
  template: string;
  arrived: boolean;
  dmEventId?: string;
  code?: string;
  earlierCopy?: boolean;
}

export interface StoredPreflight {
  ok: boolean;
  blocking: number;
  warnings: number;
  checkedAt: string | null;
  configVersion: number | null;
  round: number | null;
  findings: PreflightFinding[];
  rehearsal: RehearsalResult[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const severities = new Set(['blocking', 'warning', 'info']);

/** A text field of stored JSON: the first of `values` that is a string, else ''. */
const textOf = (...values: unknown[]): string =>
  values.find((value): value is string => typeof value === 'string') ?? '';

export function readPreflight(value: unknown): StoredPreflight | null {
  if (!isRecord(value)) return null;
  const findings = (Array.isArray(value.findings) ? value.findings : [])
    .filter(isRecord)
    .map((finding): PreflightFinding => ({
      code: textOf(finding.code),
      severity: severities.has(textOf(finding.severity))
        ? (finding.severity as PreflightFinding['severity'])
        : 'info',
      ja: textOf(finding.ja, finding.en),
      en: textOf(finding.en, finding.ja),
      ...(typeof finding.path === 'string' ? { path: finding.path } : {}),
      ...(typeof finding.errorCode === 'string' ? { errorCode: finding.errorCode } : {}),
    }));
  const rehearsal = (Array.isArray(value.rehearsal) ? value.rehearsal : [])
    .filter(isRecord)
    .map((result): RehearsalResult => ({
      testUserId: textOf(result.testUserId),
      template: textOf(result.template),
      arrived: result.arrived === true,
      ...(typeof result.dmEventId === 'string' ? { dmEventId: result.dmEventId } : {}),
      ...(typeof result.code === 'string' ? { code: result.code } : {}),
      ...(result.earlierCopy === true ? { earlierCopy: true } : {}),
    }));
  const number = (field: unknown) => (typeof field === 'number' ? field : null);
  return {
    ok: value.ok === true,
    blocking: number(value.blocking) ?? findings.filter((f) => f.severity === 'blocking').length,
    warnings: number(value.warnings) ?? findings.filter((f) => f.severity === 'warning').length,
    checkedAt: typeof value.checkedAt === 'string' ? value.checkedAt : null,
    configVersion: number(value.configVersion),
    round: number(value.round),
    findings,
    rehearsal,
  };
}
