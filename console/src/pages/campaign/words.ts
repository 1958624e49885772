/**
 * The page's words for the API's enums (delivery states, failure categories, kinds, channels,
 * outcomes, consent bases, claim states), in Japanese and English, with badge tones.
 */
import type { Tone } from '../../components/Badge';
import type { Lang } from '../../i18n';

type Word = { ja: string; en: string; tone?: Tone };

const deliveryStates: Record<string, Word> = {
  queued: { ja: '送信待ち', en: 'Queued', tone: 'info' },
  reserved: { ja: '枠確保済み', en: 'Reserved', tone: 'info' },
  sending: { ja: '送信中', en: 'Sending', tone: 'warn' },
  sent: { ja: '送信済み', en: 'Sent', tone: 'ok' },
  failed: { ja: '失敗', en: 'Failed', tone: 'danger' },
  skipped: { ja: '送信なし', en: 'Skipped', tone: 'neutral' },
};

/** The order states are shown in (filters, counts). */
export const deliveryStateOrder = [
  'queued',
  'reserved',
  'sending',
  'sent',
  'failed',
  'skipped',
] as const;

const categories: Record<string, Word> = {
  recipient_unreachable: { ja: '受信者に届かない', en: 'Recipient unreachable' },
  sender_restricted: { ja: '送信アカウントの制限', en: 'Sender restricted' },
  auth: { ja: '認証エラー', en: 'Authentication' },
  rate_limited: { ja: 'レート制限', en: 'Rate limited' },
  quota_exhausted: { ja: '送信上限', en: 'Quota exhausted' },
  content_rejected: { ja: '本文の拒否', en: 'Content rejected' },
  transient: { ja: '一時的なエラー', en: 'Transient' },
  unknown: { ja: '不明', en: 'Unknown' },
};

export const categoryOrder = Object.keys(categories);

const kinds: Record<string, Word> = {
  win: { ja: '当選', en: 'Win' },
  lose: { ja: '落選', en: 'Lose' },
  follow_up: { ja: 'お詫び・訂正', en: 'Follow-up' },
  rehearsal: { ja: 'リハーサル', en: 'Rehearsal' },
};

const channels: Record<string, Word> = {
  dm: { ja: 'DM', en: 'DM' },
  reply: { ja: 'リプライ', en: 'Reply' },
  result_page: { ja: '結果ページ', en: 'Result page' },
};

const outcomes: Record<string, Word> = {
  pending: { ja: '未確定', en: 'Pending', tone: 'neutral' },
  won: { ja: '当選', en: 'Won', tone: 'ok' },
  lost: { ja: '落選', en: 'Lost', tone: 'neutral' },
  alternate: { ja: '補欠', en: 'Alternate', tone: 'info' },
  ineligible: { ja: '対象外', en: 'Ineligible', tone: 'warn' },
};

export const outcomeOrder = Object.keys(outcomes);

const consentBases: Record<string, Word> = {
  dm_opt_in: { ja: 'DM で参加', en: 'DM opt-in' },
  summoned: { ja: 'メンション・リプライ', en: 'Summoned' },
  none: { ja: 'なし', en: 'None' },
};

const claimStates: Record<string, Word> = {
  open: { ja: '受け取り待ち', en: 'Open', tone: 'info' },
  claimed: { ja: '受け取り済み', en: 'Claimed', tone: 'ok' },
  forfeited: { ja: '辞退・期限切れ', en: 'Forfeited', tone: 'warn' },
};

const blocks: Record<string, Word> = {
  launch: { ja: '開始を止めています', en: 'Blocks launch' },
  sending: { ja: '送信を止めています', en: 'Blocks sending' },
  entries: { ja: '応募の取り込みを止めています', en: 'Blocks entries' },
  nothing: { ja: '何も止めていません', en: 'Blocks nothing' },
};

function word(table: Record<string, Word>, key: string, lang: Lang): string {
  return table[key]?.[lang] ?? key;
}

export const deliveryStateLabel = (state: string, lang: Lang) => word(deliveryStates, state, lang);
export const deliveryStateTone = (state: string): Tone => deliveryStates[state]?.tone ?? 'neutral';
export const categoryLabel = (category: string, lang: Lang) => word(categories, category, lang);
export const kindLabel = (kind: string, lang: Lang) => word(kinds, kind, lang);
export const channelLabel = (channel: string, lang: Lang) => word(channels, channel, lang);
export const outcomeLabel = (outcome: string, lang: Lang) => word(outcomes, outcome, lang);
export const outcomeTone = (outcome: string): Tone => outcomes[outcome]?.tone ?? 'neutral';
export const consentLabel = (basis: string, lang: Lang) => word(consentBases, basis, lang);
export const claimStateLabel = (state: string, lang: Lang) => word(claimStates, state, lang);
export const claimStateTone = (state: string): Tone => claimStates[state]?.tone ?? 'neutral';
export const blocksLabel = (what: string, lang: Lang) => word(blocks, what, lang);
