/** Preflight's questions to X about the sender: is it healthy, and are its events armed? */
import type { Account } from '../../db/repositories/accounts';
import { classifiedXError } from '../delivery/send-pipeline';
import type { XAccess } from '../x-access';
import {
  armedUnknownFinding,
  blocksSender,
  type PreflightFinding,
  senderHealthUnknownFinding,
  senderUnhealthyFinding,
} from './findings';

/** The sender's X health: token valid, not locked, suspended or restricted. */
export async function senderHealth(
  account: Account,
  x: Pick<XAccess, 'xMe'>,
): Promise<{ finding?: PreflightFinding; usable: boolean }> {
  try {
    await x.xMe({ accountId: account.id });
    return { usable: true };
  } catch (error) {
    const xError = classifiedXError(error);
    if (!xError) throw error;
    if (blocksSender(xError))
      return { finding: senderUnhealthyFinding(account, xError), usable: false };
    // A 5xx or a timeout says nothing about the sender: the send path checks it again.
    return { finding: senderHealthUnknownFinding(account, xError), usable: true };
  }
}

/** A blocking finding when X does not deliver the account's events to `url`, else a warning or nothing. */
export async function armedFinding(
  account: Account,
  x: Pick<XAccess, 'xArmedCheck'>,
  url: string,
): Promise<PreflightFinding | undefined> {
  try {
    const check = await x.xArmedCheck({ accountId: account.id, webhookUrl: url });
    if (check.armed) return undefined;
    const problem = check.problem ?? {
      code: 'not_armed',
      en: `X does not deliver the events of @${account.handle} to ${url}.`,
      ja: `@${account.handle} のイベントが ${url} に配信されていません。`,
    };
    return {
      code: 'automation_disarmed',
      severity: 'blocking',
      errorCode: problem.code,
      ja: problem.ja,
      en: problem.en,
    };
  } catch (error) {
    const xError = classifiedXError(error);
    if (!xError) throw error;
    // The app may not read its webhook at all (no Account Activity access): that will not fix
    // itself, and nothing proves events arrive. A 5xx or a timeout only leaves it unknown.
    if (!blocksSender(xError)) return armedUnknownFinding(account, xError);
    return {
      code: 'automation_disarmed',
      severity: 'blocking',
      errorCode: xError.code,
      en: `Kuji cannot verify that X delivers the events of @${account.handle} to ${url} (${xError.code}): ${xError.reason.en} ${xError.remedy.en}`,
      ja: `@${account.handle} のイベントが ${url} に届く状態かを確認できません（${xError.code}）。${xError.reason.ja}${xError.remedy.ja}`,
    };
  }
}
