/**
 * Manual intervention points: where a campaign stops for a person, what each stop blocks, and
 * how a person may end it. Pure data and functions, shared by the workflow, activities and API.
 */
import { xErrorWords } from './x-error-catalog';

export const interventionKinds = [
  'approval',
  'send_error',
  'error_rate',
  'sender_halted',
  'not_received',
  'misdelivery',
  'stock_exhausted',
  'disarmed',
] as const;
export type InterventionKind = (typeof interventionKinds)[number];

export const interventionResolutions = [
  'approved',
  'resume',
  'cancel',
  'resend',
  'dismiss',
  'send_follow_up',
  'add_stock',
  'continue',
  'end_collecting',
  'rearm',
  // Answered by the API with a fresh authorize URL (sender_halted); never resolves a stop.
  'relink',
] as const;
export type InterventionResolution = (typeof interventionResolutions)[number];

/**
 * Answers the API gives to an open stop without closing it (the workflow never sees them):
 * `relink` hands out X's authorize URL for the halted account.
 */
export const openStopAnswers: Partial<Record<InterventionKind, readonly InterventionResolution[]>> =
  { sender_halted: ['relink'] };

/** What an open intervention holds back until it is resolved. */
export type InterventionBlocks = 'launch' | 'sending' | 'entries' | 'nothing';

interface Localized {
  ja: string;
  en: string;
}

export interface InterventionSpec {
  blocks: InterventionBlocks;
  resolutions: readonly InterventionResolution[];
  title: Localized;
  /** What the person should do, in both languages. */
  remedy: Localized;
}

export const interventionCatalog: Record<InterventionKind, InterventionSpec> = {
  approval: {
    blocks: 'launch',
    resolutions: ['approved', 'cancel'],
    title: { ja: '承認待ち', en: 'Waiting for approval' },
    remedy: {
      ja: '作成者以外の承認者がプレフライトの結果を確認し、承認してください。',
      en: 'An approver other than the author reviews the preflight findings and approves.',
    },
  },
  send_error: {
    blocks: 'sending',
    resolutions: ['resume', 'cancel'],
    title: { ja: '送信エラーで停止', en: 'Sending stopped on an error' },
    remedy: {
      ja: 'エラーの理由と対処を確認し、原因を解消してから再開してください。',
      en: 'Read the error’s reason and remedy, fix the cause, then resume.',
    },
  },
  error_rate: {
    blocks: 'sending',
    resolutions: ['resume', 'cancel'],
    title: { ja: '送信エラー率が上限を超過', en: 'Send error rate over the threshold' },
    remedy: {
      ja: '直近の失敗の内訳（配信一覧のエラーコード）を確認し、テンプレートや宛先を直してから再開してください。',
      en: 'Check the recent failures by error code in the delivery list, fix templates or recipients, then resume.',
    },
  },
  sender_halted: {
    blocks: 'sending',
    resolutions: ['resume', 'cancel'],
    title: {
      ja: '送信アカウントが制限・認証切れ（同じアカウントの全キャンペーンを停止）',
      en: 'Sender restricted or authorisation lost (every campaign on the account is halted)',
    },
    remedy: {
      ja: 'Xでアカウントの状態を確認し、制限解除や再連携（relink でXの認可画面のURLを取得）を済ませてから、アカウントの送信を再開してください。',
      en: 'Check the account on X, clear the restriction or re-link it (`relink` answers X’s authorize URL), then resume the account’s sending.',
    },
  },
  not_received: {
    blocks: 'nothing',
    resolutions: ['resend', 'dismiss'],
    title: { ja: '「届いていない」との連絡', en: '“I didn’t receive it” from a participant' },
    remedy: {
      ja: '配信記録を確認し、再送するか、対応済みとして閉じてください。',
      en: 'Check the delivery record, then resend it or close the report as handled.',
    },
  },
  misdelivery: {
    blocks: 'sending',
    resolutions: ['send_follow_up', 'dismiss', 'cancel'],
    title: { ja: '誤配信の報告（送信停止中）', en: 'Misdelivery reported (sending stopped)' },
    remedy: {
      ja: 'テンプレートを修正し、訂正DMを承認者（報告者以外）が承認すると、誤った文面を受け取った人にだけ送られます。',
      en: 'Fix the template; once an approver other than the reporter approves the follow-up, it goes only to the recipients of the wrong message.',
    },
  },
  stock_exhausted: {
    blocks: 'entries',
    resolutions: ['add_stock', 'continue', 'end_collecting', 'cancel'],
    title: { ja: '賞品の在庫切れ', en: 'Prize stock exhausted' },
    remedy: {
      ja: '在庫を追加するか、落選として受付を続けるか、受付を終了してください。追加した在庫は設定の変更として事前チェック（景品表示法を含む）と、追加した人以外の承認を経てから使われます。',
      en: 'Add stock, keep collecting with the remaining entries losing, or end collecting now. Added stock is a configuration change: it is used once preflight (the 景品表示法 check included) has passed and someone other than who added it has approved it.',
    },
  },
  disarmed: {
    blocks: 'nothing',
    resolutions: ['rearm', 'dismiss'],
    title: {
      ja: '自動受付が停止しています（Webhook未接続）',
      en: 'Automation disarmed (webhook not live)',
    },
    remedy: {
      ja: '再接続すると、停止中に届いたイベントを再送させて取り込みます。',
      en: 'Re-arm: Kuji re-subscribes and has X replay the events of the gap, so no entry is lost.',
    },
  },
};

/** What a resend request did to one delivery. */
export type ResendOutcome =
  'queued' | 'already_pending' | 'already_sent' | 'not_failed' | 'not_found';

/** What the workflow keeps of an open intervention: ids and words, never participant data. */
export interface InterventionSummary {
  id: string;
  kind: InterventionKind;
  blocks: InterventionBlocks;
  openedBy: string;
  openedAt: string;
}

/** Why a resolution is refused for an intervention kind, or null when it is allowed. */
export function resolutionRefusal(
  kind: InterventionKind,
  resolution: InterventionResolution,
): Localized | null {
  const allowed = interventionCatalog[kind].resolutions;
  if (allowed.includes(resolution)) return null;
  return {
    ja: `「${kind}」には ${resolution} を使えません。使えるのは ${allowed.join(', ')} です。`,
    en: `'${resolution}' does not resolve a '${kind}' intervention; use one of ${allowed.join(', ')}.`,
  };
}

/** Kinds raised by a halted send, by the failure's category. */
export function haltKind(category: string): InterventionKind {
  return category === 'sender_restricted' || category === 'auth' ? 'sender_halted' : 'send_error';
}

/**
 * The recent-failure check behind the `error_rate` intervention: true once at least
 * `minAttempts` of the last `window` sends are in and the share that failed reaches `threshold`.
 */
export function errorRateExceeded(
  recentFailures: readonly boolean[],
  limits: { threshold: number; window: number; minAttempts: number },
): boolean {
  const window = recentFailures.slice(-limits.window);
  if (window.length < limits.minAttempts) return false;
  const failed = window.filter(Boolean).length;
  return failed / window.length >= limits.threshold;
}

/** The failure a stop names, in words: code, category, reason and remedy in both languages. */
export interface InterventionError {
  code: string;
  category: string;
  reason: Localized;
  remedy: Localized;
}

function isLocalized(value: unknown): value is Localized {
  if (!value || typeof value !== 'object') return false;
  const pair = value as { ja?: unknown; en?: unknown };
  return typeof pair.ja === 'string' && typeof pair.en === 'string';
}

/**
 * The failure behind a stop whose details name a code (send_error, sender_halted …): X error
 * codes read from the catalogue deliveries use; a stop that brought its own words for a code of
 * Kuji's own (the X API budget's) keeps them. Null for a stop that names no failure.
 */
export function interventionError(
  details: Readonly<Record<string, unknown>>,
): InterventionError | null {
  const { code, category, reason, remedy } = details;
  const words = xErrorWords(code);
  if (words) return words;
  if (typeof code === 'string' && isLocalized(reason) && isLocalized(remedy)) {
    return {
      code,
      category: typeof category === 'string' ? category : 'unknown',
      reason: { ja: reason.ja, en: reason.en },
      remedy: { ja: remedy.ja, en: remedy.en },
    };
  }
  return null;
}
