/** What the stops page calls each kind of stop and each answer, in both languages. */
import type { paths } from '../../api/client';
import type { Tone } from '../../components/Badge';
import { formatUsd } from '../../format';
import { type Lang, pick } from '../../i18n';
import { automationProblemLabel } from '../campaign/automation-problems';
import { categoryLabel } from '../report/words';

export type Intervention =
  paths['/v1/interventions']['get']['responses'][200]['content']['application/json']['interventions'][number];
export type Resolution = Intervention['resolutions'][number];
export type Kind = Intervention['kind'];

const kinds: Record<Kind, { ja: string; en: string; tone: Tone }> = {
  approval: { ja: '承認待ち', en: 'Approval', tone: 'warn' },
  send_error: { ja: '送信エラー', en: 'Send error', tone: 'danger' },
  error_rate: { ja: 'エラー率超過', en: 'Error rate', tone: 'danger' },
  sender_halted: { ja: '送信アカウント停止', en: 'Sender halted', tone: 'danger' },
  not_received: { ja: '未着の連絡', en: 'Not received', tone: 'warn' },
  misdelivery: { ja: '誤配信', en: 'Misdelivery', tone: 'danger' },
  stock_exhausted: { ja: '在庫切れ', en: 'Stock exhausted', tone: 'warn' },
  disarmed: { ja: '自動受付停止', en: 'Disarmed', tone: 'warn' },
};

export function kindLabel(kind: Kind, lang: Lang): string {
  return kinds[kind]?.[lang] ?? kind;
}

export function kindTone(kind: Kind): Tone {
  return kinds[kind]?.tone ?? 'neutral';
}

const resolutions: Record<Resolution, { ja: string; en: string }> = {
  approved: { ja: '承認', en: 'Approve' },
  resume: { ja: '再開', en: 'Resume' },
  cancel: { ja: 'キャンペーンを中止', en: 'Cancel the campaign' },
  resend: { ja: '再送', en: 'Resend' },
  dismiss: { ja: '対応済みとして閉じる', en: 'Close as handled' },
  send_follow_up: { ja: '訂正DMを承認して送信', en: 'Approve and send the follow-up' },
  add_stock: { ja: '在庫を追加', en: 'Add stock' },
  continue: { ja: '落選として受付を続ける', en: 'Keep collecting (the rest lose)' },
  end_collecting: { ja: '受付を終了', en: 'End collecting' },
  rearm: { ja: '再接続', en: 'Re-arm' },
  relink: { ja: 'Xと再連携', en: 'Re-link on X' },
};

export function resolutionLabel(resolution: string, lang: Lang): string {
  return resolutions[resolution as Resolution]?.[lang] ?? resolution;
}

/** Answers that end something for good are confirmed first. */
export const confirmed: ReadonlySet<Resolution> = new Set(['cancel', 'end_collecting', 'dismiss']);

const blocks: Record<Intervention['blocks'], { ja: string; en: string }> = {
  launch: { ja: '開始を止めています', en: 'Holds the launch' },
  sending: { ja: '送信を止めています', en: 'Holds sending' },
  entries: { ja: '受付を止めています', en: 'Holds entries' },
  nothing: { ja: '何も止めていません', en: 'Holds nothing' },
};

export function blocksLabel(value: Intervention['blocks'], lang: Lang): string {
  return blocks[value]?.[lang] ?? value;
}

/** A disarmed stop's problem: the check's own words (with the URL and handle), else its code named. */
function problemText(problem: unknown, lang: Lang): string | undefined {
  if (typeof problem === 'string') return automationProblemLabel(problem, lang);
  if (!problem || typeof problem !== 'object') return undefined;
  const { code, ja, en } = problem as { code?: unknown; ja?: unknown; en?: unknown };
  if (typeof ja === 'string' && typeof en === 'string') return pick(lang, { ja, en });
  return typeof code === 'string' ? automationProblemLabel(code, lang) : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * The stop's own particulars (the error code, the reporter's words, the failure rate …) as
 * label/value pairs; the API masks participant data for roles that may not read it.
 */
export function particulars(
  intervention: Intervention,
  lang: Lang,
): { label: string; value: string }[] {
  const d = intervention.details;
  const ja = lang === 'ja';
  const rows: { label: string; value: string | undefined }[] = [];
  switch (intervention.kind) {
    case 'send_error':
    case 'sender_halted': {
      // The API gives the failure in words (the X error catalogue's, or the budget stop's own).
      const words = intervention.error;
      rows.push({
        label: ja ? '理由' : 'Reason',
        value: words ? pick(lang, words.reason) : undefined,
      });
      rows.push({
        label: ja ? 'エラーの対処' : 'For this error',
        value: words ? pick(lang, words.remedy) : undefined,
      });
      const cost = d.xCost as
        { spentUsd?: unknown; nextUsd?: unknown; budgetUsd?: unknown } | undefined;
      if (cost && typeof cost.spentUsd === 'number' && typeof cost.budgetUsd === 'number') {
        rows.push({
          label: ja ? 'X API 費用' : 'X API cost',
          value: `${formatUsd(cost.spentUsd, lang)} / ${formatUsd(cost.budgetUsd, lang)}${
            typeof cost.nextUsd === 'number'
              ? ja
                ? `（次の送信 ${formatUsd(cost.nextUsd, lang)}）`
                : ` (next send ${formatUsd(cost.nextUsd, lang)})`
              : ''
          }`,
        });
      }
      rows.push({ label: ja ? 'エラーコード' : 'Error code', value: text(d.code) });
      rows.push({
        label: ja ? '分類' : 'Category',
        value: typeof d.category === 'string' ? categoryLabel(d.category, lang) : undefined,
      });
      rows.push({ label: ja ? '配信' : 'Delivery', value: text(d.deliveryId) });
      break;
    }
    case 'error_rate':
      if (typeof d.failed === 'number' && typeof d.window === 'number') {
        rows.push({
          label: ja ? '直近の失敗' : 'Recent failures',
          value: `${d.failed} / ${d.window}`,
        });
      }
      if (typeof d.threshold === 'number') {
        rows.push({ label: ja ? '上限' : 'Threshold', value: `${Math.round(d.threshold * 100)}%` });
      }
      break;
    case 'misdelivery': {
      rows.push({ label: ja ? '報告の理由' : 'Reported because', value: text(d.reason) });
      rows.push({ label: ja ? '報告者' : 'Reported by', value: text(d.reportedBy) });
      const followUp = d.followUp as { text?: unknown } | undefined;
      rows.push({ label: ja ? '訂正DM' : 'Follow-up DM', value: text(followUp?.text) });
      break;
    }
    case 'not_received':
      rows.push({
        label: ja ? '参加者' : 'Participant',
        value: text(d.username) ? `@${text(d.username)}` : text(d.xUserId),
      });
      rows.push({ label: ja ? '一致した言葉' : 'Matched words', value: text(d.phrase) });
      rows.push({ label: ja ? '配信' : 'Delivery', value: text(d.deliveryId) });
      rows.push({ label: ja ? '配信の状態' : 'Delivery state', value: text(d.deliveryState) });
      break;
    case 'disarmed':
      rows.push({ label: ja ? '問題' : 'Problem', value: problemText(d.problem, lang) });
      rows.push({ label: ja ? '停止した時刻' : 'Disarmed since', value: text(d.disarmedSince) });
      break;
    case 'stock_exhausted':
      rows.push({ label: ja ? 'それまでの当選' : 'Won so far', value: text(d.wonSoFar) });
      break;
    case 'approval':
      rows.push({ label: ja ? '理由' : 'Reason', value: text(d.reason) });
      rows.push({ label: ja ? '設定の版' : 'Config version', value: text(d.configVersion) });
      break;
  }
  return rows.flatMap((row) => (row.value ? [{ label: row.label, value: row.value }] : []));
}
