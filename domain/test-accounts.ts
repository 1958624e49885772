/**
 * Rehearsal recipients: a campaign's `testAccounts` must be X users an admin registered for its
 * sender account. Rehearsal DMs go out under the brand's name before anyone approved the
 * campaign, so an operator must not be able to make the brand DM arbitrary people.
 */
import type { Finding } from './findings';

/** The blocking finding naming every test account of the campaign that is not registered. */
export function unregisteredTestAccountsFinding(
  testAccounts: readonly string[],
  registered: ReadonlySet<string>,
  sender: { id: string; handle: string },
): Finding | undefined {
  const unregistered = [...new Set(testAccounts)].filter((id) => !registered.has(id));
  if (unregistered.length === 0) return undefined;
  const list = unregistered.join(', ');
  return {
    code: 'test_account_unregistered',
    severity: 'blocking',
    path: 'testAccounts',
    en: `Test accounts ${list} are not registered for sender account @${sender.handle}: rehearsal DMs go only to test accounts an admin registered (POST /v1/accounts/${sender.id}/test-accounts). Register them or remove them from testAccounts.`,
    ja: `テストアカウント ${list} は送信アカウント @${sender.handle} に登録されていません。リハーサルDMは管理者が登録したテストアカウントにのみ送信されます（POST /v1/accounts/${sender.id}/test-accounts）。登録するか、testAccounts から外してください。`,
  };
}
