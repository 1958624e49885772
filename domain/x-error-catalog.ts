/**
 * The catalogue of X failures (DESIGN.md §6): every stable code with its category, retry and
 * halt decisions, and a reason and remedy in Japanese and English. README.md's failure-code
 * table is kept in step with it by a test. Pure data; domain/x-errors.ts classifies into it.
 */

export const xErrorCategories = [
  'recipient_unreachable',
  'sender_restricted',
  'auth',
  'rate_limited',
  'quota_exhausted',
  'content_rejected',
  'transient',
  'unknown',
] as const;
export type XErrorCategory = (typeof xErrorCategories)[number];

export interface LocalizedText {
  ja: string;
  en: string;
}

export interface XErrorCatalogEntry {
  category: XErrorCategory;
  /** Temporal may retry the same activity automatically (after `retryAt` when given). */
  retryable: boolean;
  /** Nothing else will succeed for this sender account until a person acts. */
  haltsAccount: boolean;
  /** X may have delivered the message anyway: read the conversation before any retry. */
  reconcileBeforeRetry: boolean;
  reason: LocalizedText;
  remedy: LocalizedText;
}

type Entry = Omit<
  XErrorCatalogEntry,
  'category' | 'retryable' | 'haltsAccount' | 'reconcileBeforeRetry'
> &
  Partial<Pick<XErrorCatalogEntry, 'haltsAccount' | 'reconcileBeforeRetry' | 'retryable'>>;

function entries<C extends XErrorCategory, K extends string>(
  category: C,
  defaults: { retryable: boolean; haltsAccount: boolean },
  list: Record<K, Entry>,
): Record<K, XErrorCatalogEntry> {
  const out = {} as Record<K, XErrorCatalogEntry>;
  for (const key of Object.keys(list) as K[]) {
    const entry = list[key];
    out[key] = {
      category,
      retryable: entry.retryable ?? defaults.retryable,
      haltsAccount: entry.haltsAccount ?? defaults.haltsAccount,
      reconcileBeforeRetry: entry.reconcileBeforeRetry ?? false,
      reason: entry.reason,
      remedy: entry.remedy,
    };
  }
  return out;
}

const recipientUnreachable = entries(
  'recipient_unreachable',
  { retryable: false, haltsAccount: false },
  {
    dm_not_permitted: {
      reason: {
        en: "X refused the DM: the recipient's message settings do not accept DMs from this account (X answers the same way when the recipient has blocked it).",
        ja: '受信者のDM設定がこのアカウントからのメッセージを受け付けていないため、XがDMを拒否しました（受信者がこのアカウントをブロックしている場合も同じ応答になります）。',
      },
      remedy: {
        en: 'Do not resend. Deliver the result through another allowed channel (a reply with a personal result link, or the result page). Ask entrants in the campaign terms to allow message requests from everyone or to follow the account before the draw.',
        ja: '再送はしないでください。許可されている別の経路（個別結果リンク付きのリプライ、または結果ページ）で通知してください。応募規約で「すべてのアカウントからのメッセージリクエストを許可する」またはアカウントのフォローを抽選前にお願いしてください。',
      },
    },
    dm_recipient_not_following: {
      reason: {
        en: 'The recipient accepts DMs only from accounts they follow, and they do not follow this account.',
        ja: '受信者はフォローしているアカウントからのDMのみを受け付ける設定で、このアカウントをフォローしていません。',
      },
      remedy: {
        en: 'Do not resend now. Use a reply or the result page instead. If the recipient follows the account later, resend from the delivery list.',
        ja: '今は再送しないでください。リプライまたは結果ページで通知してください。受信者が後からフォローした場合は、配信一覧から再送できます。',
      },
    },
    dm_open_dms_required: {
      reason: {
        en: 'X requires open DMs ("allow message requests from everyone") for this conversation, and they are not enabled.',
        ja: 'この会話には「すべてのアカウントからのメッセージリクエストを許可」が必要ですが、有効になっていません。',
      },
      remedy: {
        en: 'Check the DM settings of the sender account and ask the recipient to allow message requests from everyone; otherwise use a reply or the result page.',
        ja: '送信アカウントのDM設定を確認し、受信者にはメッセージリクエストの許可をお願いしてください。難しい場合はリプライまたは結果ページで通知してください。',
      },
    },
    recipient_blocked: {
      reason: {
        en: 'The user has blocked this account, so X does not allow it to contact them.',
        ja: 'このユーザーが送信アカウントをブロックしているため、Xは連絡を許可していません。',
      },
      remedy: {
        en: 'Do not retry and do not try other channels for this person; mark the entry as unreachable.',
        ja: '再試行や別経路での連絡は行わず、この応募を「連絡不可」として扱ってください。',
      },
    },
    recipient_protected: {
      reason: {
        en: "The user's account is protected (private): its posts, followers and timeline are visible only to approved followers. This is not a problem with the sender's credentials.",
        ja: 'このユーザーは非公開アカウント（鍵アカウント）のため、投稿・フォロワー・タイムラインは承認されたフォロワーにしか見えません。送信アカウントの認証の問題ではありません。',
      },
      remedy: {
        en: 'Entries from protected accounts cannot be verified automatically. Verify them by hand, or ask the participant to make the account public while the campaign runs.',
        ja: '非公開アカウントの応募は自動で確認できません。手動で確認するか、キャンペーン期間中はアカウントを公開にするよう参加者にお願いしてください。',
      },
    },
    recipient_suspended: {
      reason: {
        en: 'X reports the user as suspended. X has been seen to report this for accounts that are not suspended; such reports usually clear within a few days.',
        ja: 'Xはこのユーザーを凍結済みと報告しています。実際には凍結されていないアカウントでもこの応答が返ることがあり、通常は数日で解消します。',
      },
      remedy: {
        en: 'Do not retry now. Open the profile on x.com: if it is active, resend by hand in a few days; if it is suspended, treat the entry as ineligible.',
        ja: '今は再試行しないでください。x.com でプロフィールを確認し、有効なアカウントであれば数日後に手動で再送し、凍結されていれば対象外として扱ってください。',
      },
    },
    user_not_found: {
      reason: {
        en: 'The user does not exist any more (the account was deleted or deactivated) or the id is wrong.',
        ja: 'ユーザーが存在しません（アカウントが削除・停止されたか、IDが誤っています）。',
      },
      remedy: {
        en: 'Check the user id or handle. Treat the entry as unreachable.',
        ja: 'ユーザーIDまたはユーザー名を確認してください。この応募は「連絡不可」として扱ってください。',
      },
    },
    post_not_found: {
      reason: {
        en: 'The post was deleted or is no longer visible to this account.',
        ja: '投稿が削除されたか、このアカウントからは見えなくなっています。',
      },
      remedy: {
        en: 'Check that the campaign post still exists. For a reply to a deleted post, use a DM (if the participant consented) or the result page.',
        ja: 'キャンペーン投稿が残っているか確認してください。削除された投稿へのリプライは、同意がある場合はDM、ない場合は結果ページで通知してください。',
      },
    },
    reply_not_permitted: {
      reason: {
        en: "The post's author limited who can reply, so this account cannot reply to it.",
        ja: '投稿者が返信できるユーザーを制限しているため、このアカウントからは返信できません。',
      },
      remedy: {
        en: 'Use a DM (if the participant consented) or the result page for this person.',
        ja: 'この参加者には、同意がある場合はDM、ない場合は結果ページで通知してください。',
      },
    },
  },
);

const senderRestricted = entries(
  'sender_restricted',
  { retryable: false, haltsAccount: true },
  {
    sender_automation_flagged: {
      reason: {
        en: "X judged this account's recent activity as automated (spam-like) and is refusing actions for now (X code 226).",
        ja: 'Xがこのアカウントの最近の動作を自動化されたスパム的な動作と判断し、一時的に操作を拒否しています（Xコード226）。',
      },
      remedy: {
        en: 'Sending is halted for this account. Wait out the restriction (at least a few hours) before resuming, then lower the pace, vary the text per recipient with template variables, and make sure the account carries X\'s "Automated" label.',
        ja: 'このアカウントの送信を停止しました。制限が解けるまで（少なくとも数時間）待ってから再開し、送信ペースを下げ、テンプレート変数で受信者ごとに文面を変え、Xの「自動化」ラベルが付いていることを確認してください。',
      },
    },
    sender_locked: {
      reason: {
        en: 'X has temporarily locked the sending account (X code 326).',
        ja: 'Xが送信アカウントを一時的にロックしました（Xコード326）。',
      },
      remedy: {
        en: 'Sign in to x.com as the account and follow the unlock steps (usually confirming a phone number or email), then resume the account in Kuji.',
        ja: '該当アカウントで x.com にログインし、ロック解除の手順（通常は電話番号またはメールアドレスの確認）を完了してから、Kujiでアカウントを再開してください。',
      },
    },
    sender_suspended: {
      reason: {
        en: 'The sending account is suspended by X (X code 64).',
        ja: '送信アカウントがXにより凍結されています（Xコード64）。',
      },
      remedy: {
        en: "Sending is halted. Appeal through X's help center; deliveries wait until the account is restored or another account is linked.",
        ja: '送信を停止しました。Xのヘルプセンターから異議申し立てを行ってください。アカウントが復旧するか別のアカウントを連携するまで、配信は待機します。',
      },
    },
    sender_unverified: {
      reason: {
        en: 'X requires the sending account to be verified (a confirmed phone number and email) before it can send message requests; some recipients also accept message requests only from verified accounts (X code 476).',
        ja: 'メッセージリクエストを送るには、送信アカウントの電話番号とメールアドレスの確認が必要です。また、認証済みアカウントからのメッセージリクエストのみ受け付ける受信者もいます（Xコード476）。',
      },
      remedy: {
        en: "Verify the sender account's phone number and email on x.com, then resume. If only a few recipients fail this way, they accept messages only from verified accounts: notify them through another channel.",
        ja: 'x.com で送信アカウントの電話番号とメールアドレスを確認してから再開してください。一部の受信者だけで起きる場合は、その受信者が認証済みアカウントからのみ受け付ける設定なので、別の経路で通知してください。',
      },
    },
  },
);

const auth = entries(
  'auth',
  { retryable: false, haltsAccount: true },
  {
    auth_token_invalid: {
      reason: {
        en: "X rejected the account's access token: it expired, the user revoked Kuji's access, or the account's password changed.",
        ja: 'Xがアカウントのアクセストークンを拒否しました。期限切れ、ユーザーによるKujiの連携解除、またはパスワード変更が考えられます。',
      },
      remedy: {
        en: 'Sending is halted. Re-link the X account in Kuji (Accounts → Re-link), then resume.',
        ja: '送信を停止しました。Kujiでアカウントを再連携（アカウント → 再連携）してから再開してください。',
      },
    },
    auth_missing_dm_scopes: {
      reason: {
        en: 'The linked token lacks the permission to use direct messages (OAuth 2.0 scopes dm.read and dm.write), so X answered 403 Forbidden.',
        ja: '連携済みトークンにDMの権限（OAuth 2.0 のスコープ dm.read と dm.write）がないため、Xが 403 Forbidden を返しました。',
      },
      remedy: {
        en: 'Re-link the account and approve direct-message access. For OAuth 1.0a, set the app\'s permissions to "Read, write, and Direct Messages" in the developer portal and regenerate the access token.',
        ja: 'アカウントを再連携し、DMへのアクセスを許可してください。OAuth 1.0a の場合は開発者ポータルでアプリの権限を「Read, write, and Direct Messages」にし、アクセストークンを再発行してください。',
      },
    },
    auth_unsupported_type: {
      reason: {
        en: 'This X endpoint needs a user token (OAuth 1.0a or OAuth 2.0 user context), but an app-only token was used.',
        ja: 'このXのエンドポイントにはユーザートークン（OAuth 1.0a または OAuth 2.0 ユーザーコンテキスト）が必要ですが、アプリ専用トークンが使われました。',
      },
      remedy: {
        en: 'Link the sender account with a user token (Accounts → Re-link).',
        ja: '送信アカウントをユーザートークンで連携してください（アカウント → 再連携）。',
      },
    },
    auth_app_not_permitted: {
      reason: {
        en: 'The X app is not allowed to do this: it is not attached to a project, its access level does not include the endpoint, or its permissions exclude this action.',
        ja: 'Xのアプリにこの操作の権限がありません。プロジェクトに紐付いていない、アクセスレベルが足りない、またはアプリの権限に含まれていない可能性があります。',
      },
      remedy: {
        en: 'In the X developer portal check that the app belongs to a project, that its access level covers the endpoint and that its permissions include direct messages; then re-link the account.',
        ja: 'X開発者ポータルで、アプリがプロジェクトに属していること、アクセスレベルがこのエンドポイントに対応していること、権限にDMが含まれていることを確認し、アカウントを再連携してください。',
      },
    },
    auth_app_permissions: {
      reason: {
        en: 'The X app\'s permissions do not include this action (X problem oauth1-permissions: "not permitted to access this feature").',
        ja: 'Xのアプリの権限にこの操作が含まれていません（oauth1-permissions、「not permitted to access this feature」）。',
      },
      remedy: {
        en: 'In the X developer portal set the app\'s "User authentication settings" → "App permissions" to "Read and write and Direct message", regenerate the access token and secret, then re-link the account in Kuji.',
        ja: 'X開発者ポータルでアプリの「User authentication settings」→「App permissions」を「Read and write and Direct message」に変更し、アクセストークンとシークレットを再発行してから、Kujiでアカウントを再連携してください。',
      },
    },
    auth_refresh_rejected: {
      reason: {
        en: 'X refused to renew the OAuth 2.0 access token: the refresh token was already used, expired, or access was revoked.',
        ja: 'XがOAuth 2.0 アクセストークンの更新を拒否しました。リフレッシュトークンが使用済み・期限切れ、または連携が解除されています。',
      },
      remedy: {
        en: 'Re-link the X account in Kuji, then resume.',
        ja: 'Kujiでアカウントを再連携してから再開してください。',
      },
    },
    credentials_missing: {
      reason: {
        en: 'No X credentials are linked to this account in Kuji.',
        ja: 'Kujiでこのアカウントに X の認証情報が連携されていません。',
      },
      remedy: {
        en: 'Link the X account (Accounts → Link) before starting the campaign.',
        ja: 'キャンペーンを開始する前に、Xアカウントを連携してください（アカウント → 連携）。',
      },
    },
  },
);

const rateLimited = entries(
  'rate_limited',
  { retryable: true, haltsAccount: false },
  {
    rate_limited: {
      reason: {
        en: "X's rate limit for this endpoint is used up for the current window.",
        ja: 'このエンドポイントのXのレート制限を、現在の時間枠で使い切りました。',
      },
      remedy: {
        en: 'Nothing to do: Kuji waits until the reset time X reports in its headers and continues by itself.',
        ja: '対応は不要です。Xのヘッダーが示すリセット時刻まで待ってから自動で続行します。',
      },
    },
  },
);

const quotaExhausted = entries(
  'quota_exhausted',
  { retryable: false, haltsAccount: false },
  {
    user_daily_limit: {
      reason: {
        en: "The account's 24-hour limit for this endpoint at X is used up.",
        ja: 'このエンドポイントのアカウント単位の24時間上限に達しました。',
      },
      remedy: {
        en: "Kuji waits for X's 24-hour reset and continues. To finish sooner, spread deliveries over more days.",
        ja: 'Xの24時間リセットを待って自動で続行します。早く終えたい場合は、配信日数を増やしてください。',
      },
    },
    app_daily_limit: {
      reason: {
        en: "The app's 24-hour limit at X, shared by every linked account, is used up.",
        ja: '連携中の全アカウントで共有しているアプリ単位の24時間上限に達しました。',
      },
      remedy: {
        en: 'Kuji waits for the reset and continues. If this happens often, move to a higher X API access tier.',
        ja: 'リセットを待って自動で続行します。頻繁に起きる場合は、X APIの上位プランを検討してください。',
      },
    },
    account_daily_dm_limit: {
      reason: {
        en: "X's per-account daily limit for sending messages is reached (about 500 DMs a day).",
        ja: 'Xのアカウント単位の1日あたりのメッセージ送信上限（1日約500件）に達しました。',
      },
      remedy: {
        en: "Kuji waits for the next day's window. Lower the account's daily DM cap in Kuji so campaigns stay under X's limit.",
        ja: '翌日の送信枠まで待ちます。Kujiでこのアカウントの1日あたりのDM上限を下げ、Xの上限を超えないようにしてください。',
      },
    },
    usage_capped: {
      reason: {
        en: "The X API plan's monthly usage cap is used up. Waiting for the rate-limit reset does not help.",
        ja: 'X APIプランの月間利用上限に達しました。レート制限のリセットを待っても解消しません。',
      },
      remedy: {
        en: 'The account is halted until the cap resets with the next billing period. To continue now, upgrade the plan in the X developer portal, then resume.',
        ja: '次の請求期間で上限がリセットされるまでアカウントを停止します。すぐに続ける場合は、X開発者ポータルでプランを変更してから再開してください。',
      },
      haltsAccount: true,
    },
    credits_depleted: {
      reason: {
        en: 'The X API pay-per-use account has no credits left; no request will succeed until it is topped up.',
        ja: 'X APIの従量課金アカウントのクレジットが残っていないため、チャージするまでどのリクエストも成功しません。',
      },
      remedy: {
        en: 'Top up credits in the X developer console, then resume the account in Kuji.',
        ja: 'X開発者コンソールでクレジットをチャージしてから、Kujiでアカウントを再開してください。',
      },
      haltsAccount: true,
    },
  },
);

const contentRejected = entries(
  'content_rejected',
  { retryable: false, haltsAccount: false },
  {
    duplicate_content: {
      reason: {
        en: 'X rejected the text as a duplicate of something this account already posted.',
        ja: 'このアカウントが既に投稿した内容と重複しているため、Xが拒否しました。',
      },
      remedy: {
        en: 'Vary the text per recipient with template variables (name, result code, date), then resend.',
        ja: 'テンプレート変数（名前・当選コード・日付など）で受信者ごとに文面を変えてから再送してください。',
      },
    },
    dm_already_said: {
      reason: {
        en: 'X answered "You already said that": the same text was just sent to this person. The message may have been delivered anyway.',
        ja: 'Xが「You already said that（同じ内容を送信済み）」と応答しました。同じ文面を直前に送っており、実際には届いている場合があります。',
      },
      remedy: {
        en: 'Kuji reads the conversation before any retry. If the message is not there, personalise the text per recipient and resend.',
        ja: '再送の前にKujiが会話を確認します。メッセージが届いていなければ、受信者ごとに文面を変えてから再送してください。',
      },
      reconcileBeforeRetry: true,
    },
    text_too_long: {
      reason: {
        en: "The text exceeds X's length limit (280 weighted characters for posts, where Japanese characters count double; 10,000 for DMs).",
        ja: '文字数がXの上限を超えています（投稿は重み付きで280文字、日本語は1文字2として数えます。DMは10,000文字）。',
      },
      remedy: {
        en: 'Shorten the template; links count as 23 characters.',
        ja: 'テンプレートを短くしてください。URLは23文字として数えられます。',
      },
    },
    content_policy_violation: {
      reason: {
        en: 'X rejected the text as violating its rules.',
        ja: 'Xのルールに違反する内容として拒否されました。',
      },
      remedy: {
        en: "Review the template against X's rules (links, sensitive words, giveaway conditions) and send after approval.",
        ja: 'Xのルール（リンク・センシティブな語句・プレゼント企画の条件）に照らしてテンプレートを見直し、承認を得てから送信してください。',
      },
    },
    media_not_allowed: {
      reason: {
        en: 'X refused the attached media: it may not be attached to a direct message (wrong type, not uploaded for DM use, or uploaded by another account).',
        ja: '添付したメディアをXが拒否しました。このメディアはDMに添付できません（形式が対象外、DM用にアップロードされていない、または別のアカウントのものです）。',
      },
      remedy: {
        en: "Fix the template's attachment: upload it again with the sender account as DM media, or send the message without it (a link to the result page works), then resend.",
        ja: 'テンプレートの添付を修正してください。送信アカウントでDM用メディアとしてアップロードし直すか、添付なし（結果ページへのリンクなど）で送ってから再送してください。',
      },
    },
    invalid_request: {
      reason: {
        en: 'X rejected the request as invalid: a parameter or the text was not accepted.',
        ja: 'リクエストが不正としてXに拒否されました。パラメーターまたは本文が受け付けられませんでした。',
      },
      remedy: {
        en: 'Check the template and the campaign settings. If it persists, report it with the raw response from the log.',
        ja: 'テンプレートとキャンペーン設定を確認してください。解消しない場合は、ログに記録された応答を添えて報告してください。',
      },
    },
  },
);

const transient = entries(
  'transient',
  { retryable: true, haltsAccount: false },
  {
    server_error: {
      reason: {
        en: 'X had an internal error while handling the request.',
        ja: 'Xの内部エラーによりリクエストを処理できませんでした。',
      },
      remedy: {
        en: 'Kuji retries with increasing delays. If it persists, check status.x.com; a person is asked to look after repeated failures.',
        ja: '間隔を空けて自動で再試行します。続く場合は status.x.com を確認してください。失敗が続くと担当者に対応を依頼します。',
      },
    },
    service_unavailable: {
      reason: {
        en: 'X is temporarily unavailable or overloaded.',
        ja: 'Xが一時的に利用できないか、混雑しています。',
      },
      remedy: {
        en: 'Kuji retries with increasing delays. If it persists, check status.x.com.',
        ja: '間隔を空けて自動で再試行します。続く場合は status.x.com を確認してください。',
      },
    },
    network_error: {
      reason: {
        en: 'The connection to X failed or was cut before a complete answer arrived.',
        ja: 'Xとの接続に失敗したか、応答を最後まで受け取る前に切断されました。',
      },
      remedy: {
        en: 'Kuji retries with increasing delays; before resending a message it reads the conversation so nothing is sent twice.',
        ja: '間隔を空けて自動で再試行します。メッセージの再送前には会話を確認するため、二重送信にはなりません。',
      },
    },
    timeout: {
      reason: {
        en: 'X did not answer in time. A message or reply may have been delivered anyway.',
        ja: 'Xから時間内に応答がありませんでした。メッセージやリプライは届いている可能性があります。',
      },
      remedy: {
        en: 'Kuji reads the conversation to confirm delivery and retries only if the message is not there.',
        ja: '会話を確認して配信済みかを確かめ、届いていない場合のみ再試行します。',
      },
      reconcileBeforeRetry: true,
    },
  },
);

const unknown = entries(
  'unknown',
  { retryable: false, haltsAccount: false },
  {
    unknown: {
      reason: {
        en: 'X returned an answer Kuji does not recognise. The raw response was logged (without credentials).',
        ja: 'Kujiが認識できない応答がXから返されました。応答内容は認証情報を除いてログに記録しました。',
      },
      remedy: {
        en: 'Do not retry blindly. Look at the logged response and report it so this case can be classified.',
        ja: 'むやみに再試行しないでください。ログに記録された応答を確認し、分類を追加できるよう報告してください。',
      },
    },
  },
);

export const xErrorCatalog = {
  ...recipientUnreachable,
  ...senderRestricted,
  ...auth,
  ...rateLimited,
  ...quotaExhausted,
  ...contentRejected,
  ...transient,
  ...unknown,
};

export type XErrorCode = keyof typeof xErrorCatalog;
export const xErrorCodes = Object.keys(xErrorCatalog) as XErrorCode[];

/** What the workflow does with each category (DESIGN.md §6). */
export const xErrorCategoryActions: Record<XErrorCategory, LocalizedText> = {
  recipient_unreachable: {
    en: 'Fail this delivery without retrying; fall back to another allowed channel.',
    ja: 'この配信は再試行せず失敗とし、許可された別の経路に切り替えます。',
  },
  sender_restricted: {
    en: "Halt the account's sending and open an intervention.",
    ja: 'アカウントの送信を停止し、対応依頼を作成します。',
  },
  auth: {
    en: 'Halt the account and open a "re-link account" intervention.',
    ja: 'アカウントを停止し、「アカウント再連携」の対応依頼を作成します。',
  },
  rate_limited: {
    en: 'Retry at the reset instant; not a failure.',
    ja: 'リセット時刻に再試行します。失敗としては扱いません。',
  },
  quota_exhausted: {
    en: 'Wait for the next window (or halt when only a person can lift the cap).',
    ja: '次の送信枠まで待ちます（人の対応が必要な上限の場合は停止します）。',
  },
  content_rejected: {
    en: 'Fail the delivery; open an intervention to fix the template when it is systematic.',
    ja: '配信を失敗とし、繰り返し起きる場合はテンプレート修正の対応依頼を作成します。',
  },
  transient: {
    en: 'Bounded retries with backoff, then an intervention.',
    ja: '回数を限って間隔を空けながら再試行し、それでも失敗する場合は対応依頼を作成します。',
  },
  unknown: {
    en: 'Fail, log the raw response and open an intervention.',
    ja: '失敗として応答をログに記録し、対応依頼を作成します。',
  },
};

/** A failure code in words, as the API shows it wherever a code appears (deliveries, stops, accounts). */
export interface XErrorWords {
  code: string;
  category: XErrorCategory;
  reason: LocalizedText;
  remedy: LocalizedText;
}

/** The catalogue's words for a code, or null for anything that is not one of its codes. */
export function xErrorWords(code: unknown): XErrorWords | null {
  if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(xErrorCatalog, code)) {
    return null;
  }
  const entry = xErrorCatalog[code as XErrorCode];
  return { code, category: entry.category, reason: entry.reason, remedy: entry.remedy };
}
