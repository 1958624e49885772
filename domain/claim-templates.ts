/**
 * Win templates under claims: when winners claim their prize on the campaign page before a
 * deadline, the prize code belongs on that page after the claim, never in the win message. A win
 * message with `{code}` would hand the code out before the claim: a winner who never claims
 * would keep a working code, and the deadline would pass that same code to the promoted
 * alternate (two people, one code). So the configuration refuses it (campaign-config.ts's
 * validation calls this rule), and such a campaign can be neither created nor changed.
 */
import { templateVariables } from './templates';

/** Whether `template`, a win template of a campaign with claims, hands out the prize code. */
export function handsOutCodeBeforeClaim(template: string): boolean {
  return templateVariables(template).includes('code');
}

/** The validation message (code first, Japanese then English) at `templates.win.<channel>`. */
export function codeBeforeClaimMessage(channel: 'dm' | 'reply'): string {
  const where = channel === 'dm' ? 'DM' : 'リプライ';
  const whereEn = channel === 'dm' ? 'DM' : 'reply';
  return (
    `code_before_claim: 受け取り手続きのあるキャンペーンでは、当選${where}に {code} は使えません。` +
    `コードは手続きの後にキャンペーンページで表示します。{code} を外し、{resultUrl}（受け取りページへのリンク）を入れてください。 / ` +
    `With a claim section, the win ${whereEn} template cannot use {code}: winners see their code ` +
    `on the campaign page once they have claimed, and a code sent before the claim would stay ` +
    `with a winner who never claims while the deadline passes it to an alternate. Remove {code} ` +
    `and link the claim page with {resultUrl} instead.`
  );
}
