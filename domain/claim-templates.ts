/**
 * Win templates under claims: when winners claim their prize on the campaign page before a
 * deadline, the prize code belongs on that page after the claim, not in the win message. A win
 * message with `{code}` hands the code out before the claim: a winner who never claims still
 * holds the code that the deadline then passes to an alternate. (A reply with `{code}` is
 * already refused by the configuration's validation; the check covers every channel anyway.)
 */
import type { CampaignConfig } from './campaign-config';
import { templateChannels } from './campaign-config';
import type { Finding } from './findings';
import { templateVariables } from './templates';

export function codeBeforeClaimFindings(config: CampaignConfig): Finding[] {
  if (!config.claim) return [];
  return templateChannels.flatMap((channel): Finding[] => {
    const template = config.templates.win[channel];
    if (template === undefined || !templateVariables(template).includes('code')) return [];
    const where = channel === 'dm' ? 'DM' : 'リプライ';
    const whereEn = channel === 'dm' ? 'DM' : 'reply';
    return [
      {
        code: 'code_before_claim',
        severity: 'warning',
        path: `templates.win.${channel}`,
        ja:
          `当選${where}のテンプレートに {code} があります。このキャンペーンでは、当選者が受け取り手続きをした後にキャンペーンページでコードを表示します。` +
          `このままでは手続きの前にコードを渡してしまい、期限までに手続きしなかった当選者の手元に、補欠の方に繰り上がるはずのコードが残ります。` +
          `{code} を外し、{resultUrl}（受け取りページへのリンク）を入れてください。`,
        en:
          `The win ${whereEn} template uses {code}. With claims on, winners see their code on the ` +
          `campaign page once they have claimed; this template hands it out before the claim, so ` +
          `a winner who never claims keeps the code that the deadline passes to an alternate. ` +
          `Remove {code} and link the claim page with {resultUrl} instead.`,
      },
    ];
  });
}
