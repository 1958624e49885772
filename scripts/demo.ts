/**
 * `npm run demo -- <campaign id>`: makes the local stack's emulated audience take part in a
 * campaign, so a newcomer sees entries, results, a failure with its reason and a resend within
 * minutes. It approves the campaign as a second person (the approver key 'demo-approver', kept in
 * .data/demo-approver-key), waits until it collects, has X refuse the next result DM once when
 * the campaign sends DMs (emulator fault `not_permitted`), and posts the participants' DMs,
 * replies, follows and reposts to the emulator's admin API. Then it prints the requests that
 * show what happened (for a campaign told on its page: the page to sign in on).
 */
import {
  campaignEntryActions,
  type CampaignView,
  demoKey,
  listEntries,
  postActions,
  refuseNextDm,
  sendsDms,
} from './lib/demo-audience';
import {
  adminKeyHint,
  localStack,
  request,
  runCommand,
  sleep,
  waitForPhase,
} from './lib/local-api';

async function main(): Promise<number> {
  const id = process.argv[2];
  if (!id) {
    console.log('usage: npm run demo -- <campaign id>   (npm run example -- <name> prints one)');
    return 1;
  }
  const stack = localStack();
  const api = `${stack.apiUrl}/v1/campaigns/${encodeURIComponent(id)}`;
  const phase = await waitForPhase(stack, id, (p) => p !== 'preflight' && p !== 'draft', 60_000);
  if (phase === 'awaiting_approval') {
    const approver = await demoKey(stack, { role: 'approver', file: 'demo-approver-key' });
    const approved = await request('POST', `${api}/approve`, approver.secret);
    console.log(
      `approve (as the demo approver): ${approved.status} ${approved.status === 200 ? '' : JSON.stringify(approved.body)}`,
    );
    if (approved.status === 409 && approved.body.code === 'preflight_blocking') {
      console.error(
        'Preflight blocks this campaign: its blocking findings (`npm run example` printed them, and\n' +
          `GET /v1/campaigns/${id} shows them under preflight) must be fixed by changing the\n` +
          'configuration first.\n' +
          'プリフライトの重大な指摘があるため承認できません。設定を直してから再度お試しください。',
      );
    }
    if (approved.status !== 200) return 1;
  }
  const collecting = await waitForPhase(
    stack,
    id,
    (p) => p !== 'awaiting_approval' && p !== 'scheduled',
    120_000,
  );
  if (collecting !== 'collecting') {
    console.error(`the campaign is ${collecting}, not collecting: nothing to enter`);
    return 1;
  }
  const campaign = (await request('GET', api, stack.adminKey)).body.campaign as CampaignView;
  const actions = campaignEntryActions(campaign);
  // Only a DM can be refused: a campaign that sends none (replies, the page) gets no fault.
  const dms = sendsDms(campaign);
  if (dms) {
    console.log(
      `X will refuse the next result DM once (emulator fault): ${await refuseNextDm(stack)}`,
    );
  }
  await postActions(stack, actions);
  console.log(
    `${actions.length} participant actions on X (${[...new Set(actions.map((a) => a.type))].join(', ')})`,
  );
  // Entries are decided as X delivers them (an instant win sends results in between): wait
  // until some are in and two reads 3 s apart agree.
  let entries = 0;
  let previous = -1;
  for (let waited = 0; waited < 90 && (entries === 0 || entries !== previous); waited += 3) {
    await sleep(3000);
    previous = entries;
    entries = (await listEntries(stack, id)).length;
  }
  console.log(
    entries > 0
      ? `${entries} entries so far / 応募 ${entries} 件`
      : 'no entries yet: polling may take a minute',
  );
  const key = `-H "authorization: Bearer ${adminKeyHint()}"`;
  const page = `${stack.apiUrl}/c/${encodeURIComponent(id)}`;
  const results = dms
    ? `  curl -s "${api}/deliveries?state=failed" ${key}  # the refused DM: code, ja/en reason, remedy
  curl -s -X POST ${api}/deliveries/resend ${key} -H 'content-type: application/json' \\
    -d '{"deliveryIds":["<id from above>"]}'       # resend it (twice sends once)`
    : `  ${page}
      the campaign's page: after the draw, "Sign in with X" as an emulated participant (the
      emulator's consent screen lets you pick one) and see the result (and claim a prize).
      キャンペーンページ: 抽選後に「Xでサインイン」で参加者を選び、結果を確認します${
        campaign.config?.claim
          ? `
  curl -s ${api}/claims ${key}                     # the claims (answers for fulfilment; .csv too)`
          : ''
      }`;
  console.log(`
Look / 確認:
  curl -s ${api}/entries ${key}                    # entries, eligibility and reasons
${results}
  curl -s ${api}/report ${key}                     # the report, once the campaign has ended
  ${stack.webUiUrl}/namespaces/default/workflows/campaign:${id}
`);
  return 0;
}

runCommand(main);
