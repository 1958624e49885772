/**
 * Clicks through the emulator's consent screen without a browser, as its form would: for
 * `npm start` (linking `demo` through the production path) and for tests.
 */
export interface ConsentAnswer {
  /** Where the emulator sends the person back: the app's callback with `code`/`error` and `state`. */
  callbackUrl: string;
}

export async function answerConsent(
  authorizeUrl: string,
  choice: { userId: string; decision: 'allow' | 'deny' },
): Promise<ConsentAnswer> {
  const url = new URL(authorizeUrl);
  const screen = await fetch(url);
  const html = await screen.text();
  if (screen.status !== 200 || !html.includes('name="decision"')) {
    throw new Error(
      `the emulator's consent screen answered ${screen.status}: ${html.slice(0, 300)}`,
    );
  }
  const form = new URLSearchParams(url.searchParams);
  form.set('user_id', choice.userId);
  form.set('decision', choice.decision);
  const answer = await fetch(new URL(url.pathname, url.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) {
    throw new Error(`the emulator's consent answered ${answer.status} without a redirect`);
  }
  return { callbackUrl: location };
}
