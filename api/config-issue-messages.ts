/**
 * A configuration issue in the reader's language. zod's own issues (a wrong type, a number out of
 * range) take their Japanese from zod's `ja` locale; Kuji's own messages (domain/campaign-config.ts
 * writes them in English, or as "Japanese / English") get a stable code and a Japanese text
 * here, matched on the English message. An English message this map does not know keeps the
 * code `custom` and is shown with a Japanese lead-in, so a new rule is never silently dropped.
 */
export interface LocalizedText {
  ja: string;
  en: string;
}

export interface ConfigIssueText {
  code: string;
  message: LocalizedText;
}

interface KujiMessage {
  code: string;
  /** Matches the English message from the domain; its groups feed `ja`. */
  pattern: RegExp;
  ja: (groups: string[]) => string;
}

const kujiMessages: readonly KujiMessage[] = [
  {
    code: 'unstorable_text',
    pattern: /^must not contain a NUL character/,
    ja: () => 'NUL 文字（U+0000）や対になっていないサロゲート（U+D800–U+DFFF）は使えません',
  },
  {
    code: 'x_id',
    pattern: /^must be an X id \(digits only\)$/,
    ja: () => 'XのID（数字のみ、20桁まで）を入力してください',
  },
  {
    code: 'iso_datetime',
    pattern: /^must be an ISO-8601 date-time with an offset/,
    ja: () => 'タイムゾーン付きのISO-8601日時で入力してください（例: 2026-12-01T10:00:00+09:00）',
  },
  {
    code: 'dm_keyword_required',
    pattern: /^a dm_keyword rule needs a keyword that participants send by DM$/,
    ja: () => 'DMキーワード条件には、参加者がDMで送るキーワードが必要です',
  },
  {
    code: 'entry_rule_required',
    pattern: /^a campaign needs at least one entry rule$/,
    ja: () => '応募条件を1つ以上設定してください',
  },
  {
    code: 'prize_required',
    pattern: /^a campaign needs at least one prize$/,
    ja: () => '景品を1つ以上設定してください',
  },
  {
    code: 'claim_field_repeated',
    pattern: /^a field is listed twice$/,
    ja: () => '同じ項目が2回指定されています',
  },
  {
    code: 'end_before_start',
    pattern: /^endAt \((.*)\) must be after startAt \((.*)\)$/,
    ja: ([endAt, startAt]) => `終了日時（${endAt}）は開始日時（${startAt}）より後にしてください`,
  },
  {
    code: 'campaign_too_long',
    pattern: /^a campaign runs at most (\d+) days; endAt is later than that$/,
    ja: ([days]) => `キャンペーン期間は最長${days}日です。終了日時が遅すぎます`,
  },
  {
    code: 'unknown_time_zone',
    pattern: /^unknown time zone "(.*)"; use an IANA name such as Asia\/Tokyo$/,
    ja: ([zone]) =>
      `タイムゾーン「${zone}」は不明です。Asia/Tokyo のようなIANA名を指定してください`,
  },
  {
    code: 'dm_keyword_blank',
    pattern: /^a dm_keyword rule needs a non-blank keyword$/,
    ja: () => 'DMキーワードが空白だけです。キーワードを入力してください',
  },
  {
    code: 'reply_rule_empty',
    pattern: /^a reply rule needs at least one keyword or hashtag$/,
    ja: () => 'リプライ条件にはキーワードかハッシュタグを1つ以上指定してください',
  },
  {
    code: 'invalid_hashtag',
    pattern: /^"(.*)" is not one hashtag on X/s,
    ja: ([tag]) =>
      `「${tag}」はXのハッシュタグ1つとして扱われません（空白や記号を含めず、数字だけにもしないでください）`,
  },
  {
    code: 'duplicate_prize_id',
    pattern: /^duplicate prize id "(.*)"$/s,
    ja: ([id]) => `景品ID「${id}」が重複しています`,
  },
  {
    code: 'odds_not_allowed',
    pattern: /^prize "(.*)" has odds, but odds apply only to instant_win campaigns$/s,
    ja: ([id]) => `景品「${id}」に当選確率がありますが、当選確率はインスタントウィンでのみ使えます`,
  },
  {
    code: 'odds_required',
    pattern: /^instant_win prize "(.*)" needs odds/s,
    ja: ([id]) => `インスタントウィンの景品「${id}」には当選確率（0より大きく1以下）が必要です`,
  },
  {
    code: 'odds_without_stock',
    pattern: /^prize "(.*)" has odds but no stock; it can never be won$/s,
    ja: ([id]) => `景品「${id}」は当選確率がありますが在庫が0のため、当選することがありません`,
  },
  {
    code: 'codes_fewer_than_stock',
    pattern: /^prize "(.*)" has (\d+) codes for a stock of (\d+)$/s,
    ja: ([id, codes, stock]) => `景品「${id}」のコードは${codes}件で、在庫${stock}件に足りません`,
  },
  {
    code: 'duplicate_code',
    pattern: /^prize "(.*)" lists the code "(.*)" twice$/s,
    ja: ([id, code]) => `景品「${id}」にコード「${code}」が2回含まれています`,
  },
  {
    code: 'too_many_codes',
    pattern: /^(\d+) prize codes in all; at most (\d+)$/,
    ja: ([total, max]) => `景品コードが合計${total}件あります。上限は${max}件です`,
  },
  {
    code: 'odds_over_one',
    pattern: /^the odds of all prizes add up to (.*), more than 1$/,
    ja: ([total]) => `全景品の当選確率の合計が${total}で、1を超えています`,
  },
  {
    code: 'winners_over_stock',
    pattern: /^(\d+) winners but only (\d+) prizes in stock$/,
    ja: ([winners, stock]) =>
      `当選者数${winners}人に対し、景品の在庫は合計${stock}件しかありません`,
  },
  {
    code: 'win_message_missing',
    pattern: /^the win message needs a dm or a reply text$/,
    ja: () => '当選メッセージにはDMかリプライの文面が必要です',
  },
  {
    code: 'variable_not_allowed',
    pattern: /^variable not available in a (\w+) message \{(.*)\}; allowed: (.*)$/s,
    ja: ([kind, name, allowed]) =>
      `{${name}} は${messageKindJa(kind)}メッセージでは使えません。使える変数: ${allowed}`,
  },
  {
    code: 'unknown_variable',
    pattern: /^unknown variable \{(.*)\}; allowed: (.*)$/s,
    ja: ([name, allowed]) => `{${name}} は不明な変数です。使える変数: ${allowed}`,
  },
  {
    code: 'full_width_placeholder',
    pattern: /^(.*) uses full-width braces and would be sent as is; use \{…\}$/s,
    ja: ([placeholder]) =>
      `${placeholder} は全角の括弧のため、そのまま送信されます。半角の {…} を使ってください`,
  },
  {
    code: 'code_in_reply',
    pattern: /^\{code\} in a reply would publish the prize code; send codes by DM only$/,
    ja: () =>
      'リプライに {code} を入れると景品コードが公開されます。コードはDMでのみ送ってください',
  },
  {
    code: 'code_without_codes',
    pattern: /^\{code\} is used but these prizes have no codes: (.*)$/s,
    ja: ([ids]) => `{code} を使っていますが、次の景品にコードがありません: ${ids}`,
  },
  {
    code: 'transaction_value_required',
    pattern: /^premiumKind "(\w+)" caps prizes by the transaction value; set transactionValueYen$/,
    ja: ([kind]) =>
      `景品類の区分「${premiumKindJa(kind)}」では景品の上限が取引価額で決まります。取引価額（transactionValueYen）を入力してください`,
  },
  {
    code: 'expected_sales_required',
    pattern: /^premiumKind "(\w+)" caps the prize total by expected sales; set expectedSalesYen$/,
    ja: ([kind]) =>
      `景品類の区分「${premiumKindJa(kind)}」では景品総額の上限が売上予定総額で決まります。売上予定総額（expectedSalesYen）を入力してください`,
  },
  {
    code: 'claim_deadline_missing',
    pattern: /^claim_deadline_missing: /,
    ja: () =>
      '受け取り手続きのあるキャンペーンには schedule.claimDeadlineHours（当選者が受け取るまでの時間。過ぎると賞品は繰り上げ当選者へ）が必要です',
  },
];

function messageKindJa(kind: string | undefined): string {
  return kind === 'win'
    ? '当選'
    : kind === 'lose'
      ? '落選'
      : kind === 'followUp'
        ? 'フォローアップ'
        : (kind ?? '');
}

function premiumKindJa(kind: string | undefined): string {
  const names: Record<string, string> = {
    open: 'オープン懸賞',
    general: '一般懸賞',
    joint: '共同懸賞',
    all_comers: '総付景品',
  };
  return names[kind ?? ''] ?? kind ?? '';
}

/** `code: 日本語 / English`, the form of messages written in both languages in the domain. */
const bilingual = /^(?:([a-z_]+): )?(.+?) \/ (.+)$/s;
const leadingCode = /^([a-z_]+): /;
const hasJapanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** A Kuji message (the same text whatever zod's locale) as a stable code and both languages. */
export function kujiIssueText(message: string): ConfigIssueText {
  const both = bilingual.exec(message);
  // Exactly one side Japanese: a quoted value with a slash in it is no translation.
  if (both && hasJapanese.test(both[2] ?? '') !== hasJapanese.test(both[3] ?? '')) {
    const [, code, first = '', second = ''] = both;
    const [ja, en] = hasJapanese.test(first) ? [first, second] : [second, first];
    const known = kujiMessages.find((candidate) => candidate.pattern.test(en));
    return { code: code ?? known?.code ?? 'custom', message: { ja, en } };
  }
  const code = leadingCode.exec(message)?.[1];
  const en = message.replace(leadingCode, '');
  for (const known of kujiMessages) {
    const match = known.pattern.exec(message);
    if (match) return { code: known.code, message: { ja: known.ja(match.slice(1)), en } };
  }
  return {
    code: code ?? 'custom',
    message: { ja: `設定に誤りがあります（英語の説明）: ${en}`, en },
  };
}

/** zod's own issue with nothing given: "required" reads better than "expected string, received undefined". */
export const requiredText: LocalizedText = {
  ja: '必須項目です。入力してください',
  en: 'Required: enter a value',
};

/** A discriminator (`kind`, an entry rule's `type`) that matches none of its options. */
export function choiceText(options: readonly unknown[]): LocalizedText {
  const list = options.map((option) => String(option)).join(', ');
  return { ja: `次のいずれかを指定してください: ${list}`, en: `Choose one of: ${list}` };
}
