/** Words several pages share: campaign phases with their badge tones, roles. */
import type { Tone } from './components/Badge';
import type { Lang } from './i18n';

const phases: Record<string, { ja: string; en: string; tone: Tone }> = {
  draft: { ja: '下書き', en: 'Draft', tone: 'neutral' },
  preflight: { ja: '事前チェック中', en: 'Preflight', tone: 'info' },
  awaiting_approval: { ja: '承認待ち', en: 'Awaiting approval', tone: 'warn' },
  scheduled: { ja: '開始待ち', en: 'Scheduled', tone: 'info' },
  collecting: { ja: '応募受付中', en: 'Collecting', tone: 'ok' },
  drawing: { ja: '抽選中', en: 'Drawing', tone: 'info' },
  delivering: { ja: '結果送信中', en: 'Delivering', tone: 'ok' },
  claiming: { ja: '受け取り受付中', en: 'Claiming', tone: 'ok' },
  analyzing: { ja: '集計中', en: 'Analyzing', tone: 'info' },
  completed: { ja: '完了', en: 'Completed', tone: 'neutral' },
  cancelled: { ja: '中止', en: 'Cancelled', tone: 'neutral' },
  failed: { ja: '失敗', en: 'Failed', tone: 'danger' },
};

export function phaseLabel(phase: string, lang: Lang): string {
  return phases[phase]?.[lang] ?? phase;
}

/** Phases after which nothing about the campaign changes any more. */
export function isFinished(phase: string): boolean {
  return phase === 'completed' || phase === 'cancelled' || phase === 'failed';
}

export function phaseTone(phase: string): Tone {
  return phases[phase]?.tone ?? 'neutral';
}

/** The campaign's timezone from its stored configuration (`schedule.timezone`). */
export function campaignTimeZone(config: unknown): string | undefined {
  if (!config || typeof config !== 'object') return undefined;
  const schedule = (config as { schedule?: { timezone?: unknown } }).schedule;
  return typeof schedule?.timezone === 'string' ? schedule.timezone : undefined;
}
