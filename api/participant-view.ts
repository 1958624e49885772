/**
 * The participant view of a campaign, the same on `/c/:campaignId` (signed in with X) and on a
 * personal result link: what the campaign is, the participant's own result and its verification
 * code, and after the draw what anyone needs to re-derive it.
 */
import type { ParticipantResult } from '../db/repositories/results';
import type { CampaignConfig, EntryRule } from '../domain/campaign-config';
import {
  type Card,
  html,
  personalFooter,
  renderCard,
  renderDocument,
  type SafeHtml,
} from './participant-pages';
import { type ClaimForPage, type ClaimFormContext, resultCard } from './participant-result';

export interface DrawFacts {
  seed: string;
  digest: string;
  entryCount: number;
  /** Kuji's public base URL, for a command that fetches the files; null: relative paths. */
  publicBaseUrl: string | null;
}

/** A short message after coming back from X (or after signing out). */
export type SignInNotice = 'denied' | 'failed' | 'expired' | 'restart' | 'signed_out' | 'claimed';

export type Viewer =
  | {
      kind: 'anonymous';
      /** Where "Sign in with X" goes; null when sign-in is not configured. */
      signInUrl: string | null;
    }
  | {
      kind: 'participant';
      via: 'session' | 'link';
      xUserId: string;
      result: ParticipantResult | undefined;
      claim: ClaimForPage | undefined;
      claimForm: ClaimFormContext | undefined;
      verificationCode: string | null;
      /** Their X username as Kuji's entries recorded it; null when Kuji has none. */
      username: string | null;
      /** The sign-out form (session only): its action and CSRF token. */
      signOut: { action: string; csrf: string } | null;
    };

export interface ParticipantViewInput {
  campaign: { id: string; name: string; config: CampaignConfig | null };
  draw: DrawFacts | null;
  viewer: Viewer;
  notice: SignInNotice | null;
}

const notices: Record<SignInNotice, { ja: string; en: string }> = {
  denied: {
    ja: 'Xでのサインインがキャンセルされました。何も保存していません。',
    en: 'Sign-in was cancelled on X. Nothing was stored.',
  },
  failed: {
    ja: 'Xでのサインインを完了できませんでした。もう一度お試しください。',
    en: 'Sign-in with X could not be completed. Please try again.',
  },
  expired: {
    ja: 'サインインの有効期限が切れたか、すでに使われています。もう一度サインインしてください。',
    en: 'That sign-in expired or was already used. Please sign in again.',
  },
  restart: {
    ja:
      'このサインインは、このブラウザで始められたものではありません。サインインしていません。' +
      'ご自身の結果を見るには、このページの「Xでサインイン」からもう一度始めてください。',
    en:
      'This sign-in was not started in this browser, so you are not signed in. To see your own ' +
      'result, please start sign-in again with "Sign in with X" on this page.',
  },
  signed_out: { ja: 'サインアウトしました。', en: 'You have signed out.' },
  claimed: {
    ja: '受け取りの手続きを受け付けました。',
    en: 'Your claim has been received.',
  },
};

function dateFormatter(timeZone: string) {
  const options = { timeZone, dateStyle: 'long', timeStyle: 'short' } as const;
  const ja = new Intl.DateTimeFormat('ja-JP', options);
  const en = new Intl.DateTimeFormat('en-GB', options);
  return (date: Date) => ({
    ja: `${ja.format(date)}（${timeZone}）`,
    en: `${en.format(date)} (${timeZone})`,
  });
}

function words(list: readonly string[], ja: boolean): string {
  return list.join(ja ? '、' : ', ');
}

function ruleInWords(rule: EntryRule): { ja: string; en: string } {
  switch (rule.type) {
    case 'repost':
      return { ja: 'キャンペーン投稿をリポストする', en: 'Repost the campaign post' };
    case 'follow': {
      const also = rule.alsoUserIds?.length ?? 0;
      return also > 0
        ? {
            ja: `キャンペーンアカウントと、指定の${also}アカウントをフォローする`,
            en: `Follow the campaign account and ${also} more named account(s)`,
          }
        : { ja: 'キャンペーンアカウントをフォローする', en: 'Follow the campaign account' };
    }
    case 'like':
      return { ja: 'キャンペーン投稿に「いいね」する', en: 'Like the campaign post' };
    case 'reply':
    case 'quote': {
      const ja: string[] = [];
      const en: string[] = [];
      const keywords = rule.keywords ?? [];
      const hashtags = rule.hashtags ?? [];
      if (keywords.length > 0) {
        ja.push(`キーワード（${words(keywords, true)} のいずれか）`);
        en.push(`one of the keywords ${words(keywords, false)}`);
      }
      if (hashtags.length > 0) {
        ja.push(`ハッシュタグ ${words(hashtags, true)}`);
        en.push(`the hashtags ${words(hashtags, false)}`);
      }
      const verbJa = rule.type === 'reply' ? 'キャンペーン投稿にリプライする' : '引用して投稿する';
      const verbEn =
        rule.type === 'reply' ? 'Reply to the campaign post' : 'Quote the campaign post';
      return ja.length > 0
        ? { ja: `${verbJa}（${ja.join('と')}を含めて）`, en: `${verbEn} with ${en.join(' and ')}` }
        : { ja: verbJa, en: verbEn };
    }
    case 'dm_keyword':
      return {
        ja: `キャンペーンアカウントにDMで「${rule.keyword}」と送る`,
        en: `Send “${rule.keyword}” to the campaign account by DM`,
      };
  }
}

function aboutCard(campaign: ParticipantViewInput['campaign']): Card {
  const config = campaign.config;
  if (!config) {
    return {
      campaignName: campaign.name,
      ja: html`<h1>${campaign.name}</h1>`,
      en: html`<h2>About this campaign</h2>`,
    };
  }
  const format = dateFormatter(config.schedule.timezone);
  const start = format(new Date(config.schedule.startAt));
  const end = format(new Date(config.schedule.endAt));
  const rules = config.entryRules.all.map(ruleInWords);
  const prizes = config.prizes.map((prize) => html`<li>${prize.name} × ${prize.stock}</li>`);
  const postUrl = `https://x.com/i/web/status/${config.post.tweetId}`;
  const hours = config.schedule.claimDeadlineHours;
  const claims = config.claim && hours !== undefined;
  const drawn = config.kind === 'drawn';
  return {
    campaignName: 'キャンペーン / Campaign',
    ja: html`<h1>${campaign.name}</h1>
      <p>応募期間：${start.ja}〜${end.ja}</p>
      <p>応募方法（すべて必要です）：</p>
      <ul>
        ${rules.map((rule) => html`<li>${rule.ja}</li>`)}
      </ul>
      <p>賞品：</p>
      <ul>
        ${prizes}
      </ul>
      <p>
        ${
          drawn
            ? '結果のお知らせ：応募期間の終了後に抽選します。結果はこのページで「Xでサインイン」すると確認できます（DMやリプライでのお知らせは、あなたが許可した場合のみです）。'
            : '結果のお知らせ：応募するとその場で抽選します。結果はこのページで「Xでサインイン」すると確認できます。'
        }
      </p>
      ${
        claims
          ? html`<p>
              当選した方は、当選から${hours}時間以内に、このページで賞品の受け取り手続きをしてください。期限を過ぎると、賞品は補欠の方に抽選順で繰り上がります。
            </p>`
          : null
      }
      <p><a href="${postUrl}" rel="noreferrer">キャンペーン投稿を見る（X）</a></p>`,
    en: html`<h2>${campaign.name}</h2>
      <p>Entry period: ${start.en} to ${end.en}</p>
      <p>How to enter (all of these):</p>
      <ul>
        ${rules.map((rule) => html`<li>${rule.en}</li>`)}
      </ul>
      <p>
        ${
          drawn
            ? 'Results: winners are drawn after the entry period. Sign in with X on this page to see your result (a DM or reply tells you too, only where you allowed it).'
            : 'Results: each entry is drawn at once. Sign in with X on this page to see your result.'
        }
      </p>
      ${
        claims
          ? html`<p>
              Winners claim their prize on this page within ${hours} hours of winning; an unclaimed
              prize goes to the next alternate in draw order.
            </p>`
          : null
      }
      <p><a href="${postUrl}" rel="noreferrer">See the campaign post on X</a></p>`,
  };
}

function signInCard(signInUrl: string | null): Card {
  if (!signInUrl) {
    return {
      ja: html`<h2>あなたの結果</h2>
        <p class="notice">
          現在、Xでのサインインは利用できません。結果はDMやリプライのリンクからご確認ください。
        </p>`,
      en: html`<h2>Your result</h2>
        <p class="notice">
          Sign-in with X is not available at the moment. Use the link in your DM or reply to see
          your result.
        </p>`,
    };
  }
  return {
    ja: html`<h2>あなたの結果</h2>
      <p>
        Xでサインインすると、あなたの結果を確認できます。Kujiが受け取るのはあなたのXユーザーIDだけです。投稿やDMの権限は求めず、Xのアクセストークンはすぐに無効化して保存しません。
      </p>`,
    en: html`<h2>Your result</h2>
      <p>
        Sign in with X to see your result. Kuji learns only your X user id: it asks for no
        permission to post or send DMs, and revokes X's access token at once without keeping it.
      </p>`,
    actions: html`<p>
      <a class="button" id="signin" href="${signInUrl}"
        >Xでサインイン / <span lang="en">Sign in with X</span></a
      >
    </p>`,
  };
}

/** Where participants download the re-derive script (api/routes/participants.ts serves it). */
export const VERIFY_SCRIPT_PATH = '/c/verify-draw.mjs';

/** The shell command that downloads the re-derive script and runs it on the published files. */
export function verifyDrawCommand(campaignId: string, publicBaseUrl: string | null): string {
  const base = publicBaseUrl ?? '';
  const files = `${base}/c/${encodeURIComponent(campaignId)}`;
  return (
    `curl -O ${base}${VERIFY_SCRIPT_PATH} && ` +
    `node verify-draw.mjs ${files}/draw.json ${files}/entries.txt`
  );
}

function drawCard(campaignId: string, draw: DrawFacts): Card {
  const base = `/c/${encodeURIComponent(campaignId)}`;
  const command = verifyDrawCommand(campaignId, draw.publicBaseUrl);
  return {
    ja: html`<h2>抽選の検証</h2>
      <p>
        抽選は公開されたシード値と応募者リストから誰でも再計算できます。応募者リストはXユーザーIDのみで、並べ替え済みです。
      </p>`,
    facts: html`<dl class="facts">
      <dt>抽選対象の応募 / <span lang="en">Entries in the draw</span></dt>
      <dd>${draw.entryCount}</dd>
      <dt>シード / <span lang="en">Seed</span></dt>
      <dd class="small">${draw.seed}</dd>
      <dt>応募者リストのダイジェスト（SHA-256） / <span lang="en">Entry list digest</span></dt>
      <dd class="small">${draw.digest}</dd>
    </dl>`,
    en: html`<h2>Check the draw</h2>
      <p>
        Anyone can re-run the draw from the published seed and entry list (X user ids only, sorted).
      </p>
      <ul>
        <li><a href="${base}/draw.json">draw.json</a></li>
        <li><a href="${base}/entries.txt">entries.txt</a></li>
        <li><a href="${VERIFY_SCRIPT_PATH}" download>verify-draw.mjs</a></li>
      </ul>
      <p>
        再計算 / Re-derive with Node.js (18 or later; the script uses only Node's built-in modules):
      </p>
      <pre>${command}</pre>`,
  };
}

/** Who is signed in (an X account can differ from the one they meant), and the sign-out form. */
function sessionBar(
  viewer: Extract<Viewer, { kind: 'participant' }>,
  signOut: { action: string; csrf: string },
): SafeHtml {
  const who = viewer.username
    ? { ja: `@${viewer.username} でサインイン中`, en: `Signed in as @${viewer.username}` }
    : {
        ja: `Xでサインイン中（ユーザーID ${viewer.xUserId}）`,
        en: `Signed in with X (user id ${viewer.xUserId})`,
      };
  return html`<div class="session">
    <p id="signed-in-as">${who.ja}<br /><span lang="en">${who.en}</span></p>
    <form method="post" action="${signOut.action}">
      <input type="hidden" name="csrf" value="${signOut.csrf}" />
      <button type="submit" class="secondary">
        サインアウト<br /><span lang="en">Sign out</span>
      </button>
    </form>
  </div>`;
}

const verifyJa =
  'Kujiからの本物のお知らせには、この確認コードが入っています。届いたメッセージが本物かどうかは';

function participantCards(
  campaignName: string,
  viewer: Extract<Viewer, { kind: 'participant' }>,
  format: ReturnType<typeof dateFormatter>,
): { title: { ja: string; en: string }; cards: SafeHtml[] } {
  const { title, card } = resultCard({
    result: viewer.result,
    claim: viewer.claim,
    form: viewer.claimForm,
    formatDate: format,
  });
  const cards = viewer.signOut ? [sessionBar(viewer, viewer.signOut)] : [];
  cards.push(renderCard({ ...card, campaignName }));
  if (viewer.verificationCode && viewer.result) {
    cards.push(
      renderCard({
        ja: html`<h2>確認コード</h2>
          <p>${verifyJa}<a href="/verify">確認ページ</a>で調べられます。</p>`,
        facts: html`<dl class="facts">
          <dt>確認コード / <span lang="en">Verification code</span></dt>
          <dd><code class="code">${viewer.verificationCode}</code></dd>
        </dl>`,
        en: html`<h2>Verification code</h2>
          <p>
            Every genuine message about your result carries this code. Check a message on the
            <a href="/verify">verification page</a>.
          </p>`,
      }),
    );
  }
  return { title, cards };
}

/** The whole page. */
export function participantView(input: ParticipantViewInput): string {
  const { campaign, viewer } = input;
  const format = dateFormatter(campaign.config?.schedule.timezone ?? 'Asia/Tokyo');
  const cards: SafeHtml[] = [];
  if (input.notice) {
    const notice = notices[input.notice];
    cards.push(
      html`<p class="notice" role="status">
        ${notice.ja}<br /><span lang="en">${notice.en}</span>
      </p>`,
    );
  }
  let title = campaign.name;
  if (viewer.kind === 'participant') {
    const own = participantCards(campaign.name, viewer, format);
    title = `${own.title.ja} / ${own.title.en} — ${campaign.name}`;
    cards.push(...own.cards);
  } else {
    cards.push(renderCard(signInCard(viewer.signInUrl)));
  }
  cards.push(renderCard(aboutCard(campaign)));
  if (input.draw) cards.push(renderCard(drawCard(campaign.id, input.draw)));
  return renderDocument({
    title,
    cards,
    footer: viewer.kind === 'participant' ? personalFooter : null,
  });
}
