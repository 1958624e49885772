/**
 * `npm run example -- <name> [--id <campaign id>]`: posts examples/<name>.json to the running
 * local stack with its dates filled in (starting now, ending minutes later), waits for preflight,
 * and prints what to do next. Without a name it lists the examples.
 */
import { registerTestAccounts } from './lib/demo-audience';
import { listExamples, loadExample } from './lib/examples';
import { adminKeyHint, localStack, request, runCommand, waitForPhase } from './lib/local-api';

const pageNote =
  "Note: a follow + repost gives no consent to DM or reply (X's rules), so winners learn their\n" +
  'result on the campaign page after signing in with X. The info finding winners_on_result_page\n' +
  'gives the page URL and the sentence to put in the campaign post.\n' +
  '注: フォロー＆リポストのみでは DM・リプライの同意がないため（Xの規約）、当選者はキャンペーン\n' +
  'ページで「Xでサインイン」して結果を確認します。ページのURLとキャンペーン投稿に入れる一文は\n' +
  'winners_on_result_page の指摘に表示されます。';

const notes: Record<string, string> = {
  'follow-repost': pageNote,
  'follow-repost-claims':
    pageNote +
    '\n\nWinners claim their prize on the page within 72 hours; an unclaimed prize goes to the\n' +
    'alternate. The report comes once every prize is claimed or its alternates have run out.\n' +
    '当選者は72時間以内にページで受け取り手続きをします。期限を過ぎた賞品は補欠に繰り上がります。\n' +
    'レポートは、すべての賞品が受け取られるか補欠がいなくなった時点で作成されます。',
};

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name.startsWith('-')) {
    console.log(
      `usage: npm run example -- <name> [--id <campaign id>]\nexamples: ${listExamples().join(', ')}`,
    );
    return name ? 1 : 0;
  }
  const idFlag = rest.indexOf('--id');
  const body = loadExample(name, new Date(), idFlag === -1 ? undefined : rest[idFlag + 1]);
  const stack = localStack();
  await registerTestAccounts(stack, body.config);
  const created = await request('POST', `${stack.apiUrl}/v1/campaigns`, stack.adminKey, body);
  if (created.status !== 201) {
    console.error(
      `POST /v1/campaigns answered ${created.status}: ${JSON.stringify(created.body, null, 2)}`,
    );
    return 1;
  }
  const id = body.id;
  console.log(
    `posted ${name} as campaign ${id} (${String(body.config.schedule.startAt)} → ${String(body.config.schedule.endAt)})`,
  );
  console.log('preflight: checking the configuration, the sender and a rehearsal DM…');
  const phase = await waitForPhase(stack, id, (p) => p !== 'preflight' && p !== 'draft', 60_000);
  const findings = await request('GET', `${stack.apiUrl}/v1/campaigns/${id}`, stack.adminKey);
  console.log(`phase: ${phase}`);
  const preflight = (findings.body.campaign as { preflight?: { findings?: unknown[] } } | undefined)
    ?.preflight;
  if (preflight?.findings?.length)
    console.log(`findings: ${JSON.stringify(preflight.findings, null, 2)}`);
  if (notes[name]) console.log(`\n${notes[name]}`);
  const api = stack.apiUrl;
  console.log(`
Next / 次に:
  npm run demo -- ${id}
      approves it as a second person (the key 'demo-approver'; the author may not approve),
      makes emulated participants enter, and has X refuse one result DM once, so you see a
      failure with its reason and can resend it. 別の承認者として承認し、参加者を動かします。
  curl -s ${api}/v1/campaigns/${id} -H "authorization: Bearer ${adminKeyHint()}"
      its live phase, queue and stops / 現在のフェーズ
  ${stack.webUiUrl}/namespaces/default/workflows/campaign:${id}
      its workflow in the Temporal Web UI / Temporal Web UI のワークフロー
`);
  return 0;
}

runCommand(main);
