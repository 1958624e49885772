/** A preflight or check result a person reads: stable code, severity, and text in both languages. */
export interface Finding {
  code: string;
  severity: 'blocking' | 'warning' | 'info';
  ja: string;
  en: string;
  /** Where the problem is, e.g. a config path or a prize id. */
  path?: string;
}

export function countBySeverity(findings: readonly Finding[]) {
  return {
    blocking: findings.filter((f) => f.severity === 'blocking').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}
