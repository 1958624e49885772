/** The report's words that are not sentences: funnel steps, failure categories, delivery states. */
import type { Lang } from '../../i18n';

type Pair = { ja: string; en: string };

const funnel: Record<string, Pair> = {
  events: { ja: '応募イベント', en: 'Entry events' },
  participants: { ja: '参加者', en: 'Participants' },
  eligible: { ja: '条件を満たした人', en: 'Eligible' },
  ineligible: { ja: '対象外', en: 'Ineligible' },
  won: { ja: '当選', en: 'Won' },
  lost: { ja: '落選', en: 'Lost' },
  alternates: { ja: '補欠', en: 'Alternates' },
  held: { ja: '保留', en: 'Held' },
  refusedDuplicateEntries: { ja: '重複応募（除外）', en: 'Duplicate entries refused' },
  dmAttempted: { ja: 'DM送信を試みた', en: 'DMs attempted' },
  delivered: { ja: '届いた', en: 'Delivered' },
};

/** The funnel a chart draws, top to bottom. */
export const funnelSteps = [
  'events',
  'participants',
  'eligible',
  'won',
  'dmAttempted',
  'delivered',
] as const;

/** The funnel figures the table lists, in reading order (the report holds more, for audits). */
export const funnelTableKeys = Object.keys(funnel);

export function funnelLabel(key: string, lang: Lang): string {
  return funnel[key]?.[lang] ?? key;
}

const categories: Record<string, Pair> = {
  recipient_unreachable: { ja: '受信者に届かない', en: 'Recipient unreachable' },
  sender_restricted: { ja: '送信アカウントの制限', en: 'Sender restricted' },
  auth: { ja: '認証切れ', en: 'Authorisation lost' },
  rate_limited: { ja: 'レート制限', en: 'Rate limited' },
  quota_exhausted: { ja: '送信上限', en: 'Quota exhausted' },
  content_rejected: { ja: '本文の拒否', en: 'Content rejected' },
  transient: { ja: '一時的な障害', en: 'Transient failure' },
  unknown: { ja: '不明', en: 'Unknown' },
  budget: { ja: 'X API の予算', en: 'X API budget' },
};

export function categoryLabel(category: string | null, lang: Lang): string {
  if (!category) return '—';
  return categories[category]?.[lang] ?? category;
}

const states: Record<string, Pair> = {
  queued: { ja: '送信待ち', en: 'Queued' },
  reserved: { ja: '枠確保済み', en: 'Reserved' },
  sending: { ja: '送信中', en: 'Sending' },
  sent: { ja: '送信済み', en: 'Sent' },
  failed: { ja: '失敗', en: 'Failed' },
  skipped: { ja: 'DMなし（結果ページ等）', en: 'No DM (result page etc.)' },
};

export const stateOrder = Object.keys(states);

export function stateLabel(state: string, lang: Lang): string {
  return states[state]?.[lang] ?? state;
}

const channels: Record<string, Pair> = {
  dm: { ja: 'DM', en: 'DM' },
  reply: { ja: 'リプライ', en: 'Reply' },
  result_page: { ja: '結果ページ', en: 'Result page' },
};

export function channelLabel(channel: string, lang: Lang): string {
  return channels[channel]?.[lang] ?? channel;
}
