/**
 * The demo world the local stack seeds: the sender account `kuji_demo`, a campaign post and
 * thirty participants with a realistic mix of DM settings, follows, reposts, replies, quotes,
 * likes and keyword DMs — including the awkward cases (protected, suspended, brand-new,
 * DMs closed, blocked the brand).
 */
import type { DmSetting, Scenario } from './scenario';

export const DEMO_SENDER_USERNAME = 'kuji_demo';
export const DEMO_SENDER_USER_ID = '1790000000000000001';
export const DEMO_CAMPAIGN_POST_ID = '1860000000000000001';

const demoApp = {
  appId: '29820954',
  consumerKey: 'kuji-demo-consumer-key',
  consumerSecret: 'kuji-demo-consumer-secret',
  clientId: 'kuji-demo-client-id',
  clientSecret: 'kuji-demo-client-secret',
};

const demoAccessToken = `${DEMO_SENDER_USER_ID}-kujiDemoAccessToken0001`;
const demoAccessSecret = 'kuji-demo-access-secret-0001';

/**
 * OAuth 1.0a user credentials in the shape Kuji stores for an account (`OAuth1Credentials` of
 * `x/credentials.ts`), declared here so the emulator does not depend on Kuji's code.
 */
export interface DemoOAuth1Credentials {
  kind: 'oauth1';
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
  userId: string;
}

/** OAuth 1.0a credentials of `kuji_demo` in the demo world (static, so emulator restarts keep working). */
export function demoSenderCredentials(): DemoOAuth1Credentials {
  return {
    kind: 'oauth1',
    appKey: demoApp.consumerKey,
    appSecret: demoApp.consumerSecret,
    accessToken: demoAccessToken,
    accessSecret: demoAccessSecret,
    userId: DEMO_SENDER_USER_ID,
  };
}

/** The demo app's OAuth 2.0 client (confidential): what `npm start` links `demo` with. */
export const DEMO_OAUTH_CLIENT = { clientId: demoApp.clientId, clientSecret: demoApp.clientSecret };

/** The consumer secret webhooks of the demo world are signed with. */
export const DEMO_CONSUMER_SECRET = demoApp.consumerSecret;

interface Participant {
  username: string;
  name: string;
  dmSetting: DmSetting;
  follows?: boolean;
  reposts?: boolean;
  likes?: boolean;
  reply?: string;
  quote?: string;
  dm?: string;
  protected?: boolean;
  suspended?: boolean;
  createdDaysAgo?: number;
  phoneVerified?: boolean;
  verified?: boolean;
  blocksSender?: boolean;
}

const participants: Participant[] = [
  {
    username: 'sakura_t',
    name: 'さくら',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    likes: true,
    reply: '参加します！ #クジ当たれ',
  },
  {
    username: 'haruto_k',
    name: 'はると',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    reply: '当たりますように #クジ当たれ',
  },
  {
    username: 'yui_m',
    name: 'ゆい',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    dm: '参加',
  },
  {
    username: 'sota_n',
    name: 'そうた',
    dmSetting: 'following',
    reposts: true,
    reply: '参加！ #クジ当たれ',
  },
  {
    username: 'hina_s',
    name: 'ひな',
    dmSetting: 'closed',
    follows: true,
    reposts: true,
    likes: true,
  },
  { username: 'riku_o', name: 'りく', dmSetting: 'verified', follows: true, reposts: true },
  {
    username: 'mei_a',
    name: 'めい',
    dmSetting: 'everyone',
    follows: true,
    quote: 'これは欲しい！ #クジ当たれ',
  },
  {
    username: 'yuto_h',
    name: 'ゆうと',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    dm: '参加',
  },
  { username: 'aoi_y', name: 'あおい', dmSetting: 'everyone', reposts: true, likes: true },
  {
    username: 'ren_w',
    name: 'れん',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    reply: '応募しました #クジ当たれ',
  },
  {
    username: 'koharu_i',
    name: 'こはる',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    protected: true,
    reply: '鍵垢から参加 #クジ当たれ',
  },
  {
    username: 'minato_f',
    name: 'みなと',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    suspended: true,
  },
  {
    username: 'tsumugi_r',
    name: 'つむぎ',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    createdDaysAgo: 2,
  },
  {
    username: 'itsuki_e',
    name: 'いつき',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    likes: true,
    dm: '参加',
  },
  {
    username: 'akari_u',
    name: 'あかり',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    blocksSender: true,
  },
  {
    username: 'daiki_b',
    name: 'だいき',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    reply: 'お願いします #クジ当たれ',
  },
  {
    username: 'mio_c',
    name: 'みお',
    dmSetting: 'following',
    reposts: true,
    quote: '友達にも教えたい #クジ当たれ',
  },
  { username: 'kaito_d', name: 'かいと', dmSetting: 'everyone', follows: true, reposts: true },
  {
    username: 'rin_g',
    name: 'りん',
    dmSetting: 'verified',
    follows: true,
    reposts: true,
    verified: true,
  },
  {
    username: 'hayato_j',
    name: 'はやと',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    likes: true,
    createdDaysAgo: 1,
  },
  {
    username: 'emma_l',
    name: 'えま',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    reply: '当選したい！ #クジ当たれ',
  },
  {
    username: 'asahi_p',
    name: 'あさひ',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    dm: '参加',
  },
  {
    username: 'nagi_q',
    name: 'なぎ',
    dmSetting: 'closed',
    follows: true,
    reposts: true,
    reply: 'DMは閉じてます #クジ当たれ',
  },
  { username: 'shion_v', name: 'しおん', dmSetting: 'everyone', reposts: true, likes: true },
  { username: 'yuna_x', name: 'ゆな', dmSetting: 'following', follows: true, reposts: true },
  {
    username: 'kota_z',
    name: 'こうた',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    phoneVerified: false,
  },
  {
    username: 'hana_aa',
    name: 'はな',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    quote: 'RTしました #クジ当たれ',
  },
  {
    username: 'sora_bb',
    name: 'そら',
    dmSetting: 'following',
    follows: true,
    reposts: true,
    likes: true,
  },
  { username: 'ema_cc', name: 'えま２', dmSetting: 'everyone', follows: true, dm: '参加' },
  {
    username: 'taiga_dd',
    name: 'たいが',
    dmSetting: 'everyone',
    follows: true,
    reposts: true,
    reply: '楽しみ #クジ当たれ',
  },
];

/** The scenario the local stack loads into the emulator. */
export function demoScenario(options: { webhookUrl?: string } = {}): Scenario {
  const users: NonNullable<Scenario['users']> = [
    {
      id: DEMO_SENDER_USER_ID,
      username: DEMO_SENDER_USERNAME,
      name: 'Kuji デモ',
      description: 'Kuji のデモアカウント（自動化）',
      verified: true,
      dmSetting: 'everyone',
      createdDaysAgo: 900,
    },
  ];
  const follows: [string, string][] = [];
  const blocks: [string, string][] = [];
  const reposts: NonNullable<Scenario['reposts']> = [];
  const likes: NonNullable<Scenario['likes']> = [];
  const posts: NonNullable<Scenario['posts']> = [
    {
      key: 'campaign',
      id: DEMO_CAMPAIGN_POST_ID,
      author: DEMO_SENDER_USERNAME,
      text: '【フォロー＆リポストで当たる】Kuji デモキャンペーン開催中！ @kuji_demo をフォローしてこの投稿をリポスト、#クジ当たれ をつけて返信で応募完了。DMで「参加」と送っても応募できます。',
      minutesAgo: 180,
    },
  ];
  const dms: NonNullable<Scenario['dms']> = [];
  participants.forEach((p, index) => {
    users.push({
      id: String(1790000000000001000n + BigInt(index)),
      username: p.username,
      name: p.name,
      dmSetting: p.dmSetting,
      protected: p.protected,
      suspended: p.suspended,
      phoneVerified: p.phoneVerified,
      verified: p.verified,
      createdDaysAgo: p.createdDaysAgo ?? 200 + index * 37,
    });
    const minutesAgo = 170 - index * 5;
    if (p.follows) follows.push([p.username, DEMO_SENDER_USERNAME]);
    if (p.blocksSender) blocks.push([p.username, DEMO_SENDER_USERNAME]);
    if (p.reposts) reposts.push({ user: p.username, post: 'campaign', minutesAgo });
    if (p.likes) likes.push({ user: p.username, post: 'campaign', minutesAgo });
    if (p.reply)
      posts.push({
        author: p.username,
        text: `@${DEMO_SENDER_USERNAME} ${p.reply}`,
        replyTo: 'campaign',
        minutesAgo: minutesAgo - 1,
      });
    if (p.quote)
      posts.push({
        author: p.username,
        text: p.quote,
        quoteOf: 'campaign',
        minutesAgo: minutesAgo - 2,
      });
    if (p.dm)
      dms.push({
        from: p.username,
        to: DEMO_SENDER_USERNAME,
        text: p.dm,
        minutesAgo: minutesAgo - 3,
      });
  });
  return {
    seed: 20261122,
    app: { ...demoApp, tier: 'self_serve' },
    users,
    tokens: [
      {
        kind: 'oauth1',
        user: DEMO_SENDER_USERNAME,
        accessToken: demoAccessToken,
        accessSecret: demoAccessSecret,
      },
    ],
    follows,
    blocks,
    posts,
    reposts,
    likes,
    dms,
    ...(options.webhookUrl
      ? { webhook: { url: options.webhookUrl, subscriptions: [DEMO_SENDER_USERNAME] } }
      : {}),
  };
}
