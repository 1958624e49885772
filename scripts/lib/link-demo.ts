/**
 * Links a sender account the way a brand does, over HTTP: create the account shell, ask the API
 * for X's authorize URL, answer the (emulator's) consent screen, follow the redirect to Kuji's
 * callback. `npm start` links `demo` this way, so no other path writes credentials.
 */
import { answerConsent } from '../../emulator';

export async function linkDemoAccount(input: {
  apiUrl: string;
  adminKey: string;
  account: { id: string; handle: string };
  signInAs: string;
}): Promise<{ handle: string }> {
  const headers = {
    authorization: `Bearer ${input.adminKey}`,
    'content-type': 'application/json',
  };
  const created = await fetch(`${input.apiUrl}/v1/accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify(input.account),
  });
  // 409: the account exists from an earlier run; it is re-linked below.
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(
      `creating account ${input.account.id}: ${created.status} ${await created.text()}`,
    );
  }
  const connect = await fetch(`${input.apiUrl}/v1/accounts/${input.account.id}/connect`, {
    method: 'POST',
    headers,
    body: '{}',
  });
  if (connect.status !== 200) {
    throw new Error(
      `connecting account ${input.account.id}: ${connect.status} ${await connect.text()}`,
    );
  }
  const { authorizeUrl } = (await connect.json()) as { authorizeUrl: string };
  const { callbackUrl } = await answerConsent(authorizeUrl, {
    userId: input.signInAs,
    decision: 'allow',
  });
  const page = await fetch(callbackUrl);
  const html = await page.text();
  const handle = /@(\w{1,15})/.exec(html)?.[1];
  if (page.status !== 200 || !handle) {
    throw new Error(`linking account ${input.account.id} failed (${page.status}): ${html}`);
  }
  return { handle };
}
