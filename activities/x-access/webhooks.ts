/** The automation Kuji depends on: is X delivering the account's events, and re-arming it. */
import { ApplicationFailure } from '@temporalio/common';
import {
  createReplayJob,
  getSubscription,
  listWebhooks,
  replayWindow,
  subscribeToWebhook,
  validateWebhook,
  type XWebhookConfig,
} from '../../x/account-activity';
import { XCallError } from '../../x/api';
import type { XCore, XFail } from './core';
import type {
  ArmedCheck,
  ArmedCheckInput,
  ArmedProblemCode,
  RearmInput,
  RearmResult,
} from './types';

/** Reasons and remedies for a disarmed account, one sentence pair each. */
function armedProblem(
  code: ArmedProblemCode,
  webhookUrl: string,
  handle: string,
): { code: ArmedProblemCode; ja: string; en: string } {
  switch (code) {
    case 'webhook_missing':
      return {
        code,
        ja: `X にこのアプリの Webhook（${webhookUrl}）が登録されていないため、@${handle} への応募が Kuji に届きません。X 開発者ポータル（または POST /2/webhooks）でこの URL を登録してから、再アームしてください。`,
        en: `X has no webhook for this app at ${webhookUrl}, so entries for @${handle} never reach Kuji. Register that URL in the X developer portal (or with POST /2/webhooks), then re-arm.`,
      };
    case 'webhook_invalid':
      return {
        code,
        ja: `Webhook（${webhookUrl}）が X の CRC チェックに失敗して無効とされたため、@${handle} のイベントが配信されていません。その URL で Kuji の API に到達でき、アプリのコンシューマーシークレットが設定されていることを確認してから、再アームしてチェックをやり直してください。`,
        en: `X marked the webhook ${webhookUrl} invalid after a failed CRC check, so no events for @${handle} are delivered. Make sure Kuji's API answers at that URL with the app's consumer secret, then re-arm to run the check again.`,
      };
    case 'not_subscribed':
      return {
        code,
        ja: `@${handle} が Webhook に登録（サブスクライブ）されていないため、DM・リプライ・メンションなどが Kuji に届きません。再アームすると登録し直し、その間に届かなかったイベントをリプレイします。`,
        en: `@${handle} is not subscribed to the webhook, so its DMs, replies and mentions never reach Kuji. Re-arm to subscribe it again; the events missed meanwhile are replayed.`,
      };
  }
}

/** A webhook that is missing or fails its CRC check needs a person: retrying cannot fix it. */
function webhookFailure(
  code: 'webhook_missing' | 'webhook_invalid',
  webhookUrl: string,
  handle: string,
): ApplicationFailure {
  const problem = armedProblem(code, webhookUrl, handle);
  return ApplicationFailure.create({
    type: code,
    message: `${code}: ${problem.en}`,
    nonRetryable: true,
    details: [problem],
  });
}

function isWebhookGone(error: unknown): boolean {
  return error instanceof XCallError && error.xError.httpStatus === 404;
}

export function createXWebhooks(core: XCore) {
  const { clients, clock, log, withRateLimitWaits } = core;
  const fail: XFail = core.fail;

  /** The app's webhook with exactly this URL, if X lists one. */
  async function findWebhook(
    accountId: string,
    webhookUrl: string,
  ): Promise<{ webhook?: XWebhookConfig; handle: string }> {
    const { client, handle } = await clients.forAccount(accountId);
    const { webhooks } = await withRateLimitWaits(() => listWebhooks(client), undefined);
    return { webhook: webhooks.find((candidate) => candidate.url === webhookUrl), handle };
  }

  return {
    /**
     * Is the automation live for this account: a webhook with exactly `webhookUrl`, valid (CRC
     * passed), and the account subscribed to it? X failures leave as classified failures; a
     * disarmed account is an answer, not a failure.
     */
    async xArmedCheck(input: ArmedCheckInput): Promise<ArmedCheck> {
      try {
        const { webhook, handle } = await findWebhook(input.accountId, input.webhookUrl);
        const disarmed = (
          code: ArmedProblemCode,
          facts: Pick<ArmedCheck, 'webhookId' | 'webhookValid' | 'subscribed'>,
        ): ArmedCheck => {
          const problem = armedProblem(code, input.webhookUrl, handle);
          log.warn('Automation disarmed', {
            accountId: input.accountId,
            code,
            webhookId: facts.webhookId,
          });
          return { armed: false, ...facts, problem };
        };
        const missing = { webhookId: null, webhookValid: false, subscribed: false };
        if (!webhook) return disarmed('webhook_missing', missing);
        const { client } = await clients.forAccount(input.accountId);
        let subscribed: boolean;
        try {
          ({ subscribed } = await withRateLimitWaits(
            () => getSubscription(client, webhook.id),
            undefined,
          ));
        } catch (error) {
          // Deleted between the two calls: as missing as if it had never been listed.
          if (isWebhookGone(error)) return disarmed('webhook_missing', missing);
          throw error;
        }
        const facts = { webhookId: webhook.id, webhookValid: webhook.valid, subscribed };
        // An invalid webhook delivers nothing even to subscribed accounts: report it first.
        if (!webhook.valid) return disarmed('webhook_invalid', facts);
        if (!subscribed) return disarmed('not_subscribed', facts);
        return { armed: true, ...facts, problem: null };
      } catch (error) {
        fail(error, 'xArmedCheck', input.accountId);
      }
    },

    /**
     * Re-arms the account: re-runs X's CRC check when the webhook is marked invalid, subscribes
     * the account when it is not, then starts a replay job for [replayFrom, replayTo) so the
     * events of the disarmed window reach Kuji after all. A retry may start a second job; the
     * webhook receiver stores events by X's ids, so a replayed event is never counted twice.
     * Fails non-retryably with `webhook_missing` (no webhook with that URL) or `webhook_invalid`
     * (the CRC check failed again): both need a person.
     */
    async xRearm(input: RearmInput): Promise<RearmResult> {
      const fromMs = Date.parse(input.replayFrom);
      const toMs = Date.parse(input.replayTo);
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
        throw ApplicationFailure.create({
          type: 'invalid_replay_window',
          message: `replayFrom and replayTo must be ISO instants (got ${input.replayFrom}, ${input.replayTo}).`,
          nonRetryable: true,
        });
      }
      // Set once X listed the webhook: a 404 after that means it was deleted meanwhile.
      let listed: { handle: string } | undefined;
      try {
        const { webhook, handle } = await findWebhook(input.accountId, input.webhookUrl);
        if (!webhook) throw webhookFailure('webhook_missing', input.webhookUrl, handle);
        listed = { handle };
        const { client } = await clients.forAccount(input.accountId);
        if (!webhook.valid) {
          const { valid } = await withRateLimitWaits(
            () => validateWebhook(client, webhook.id),
            undefined,
          );
          if (!valid) throw webhookFailure('webhook_invalid', input.webhookUrl, handle);
          log.info('Webhook passed the CRC check again', {
            accountId: input.accountId,
            webhookId: webhook.id,
          });
        }
        let { subscribed } = await withRateLimitWaits(
          () => getSubscription(client, webhook.id),
          undefined,
        );
        if (!subscribed) {
          ({ subscribed } = await withRateLimitWaits(
            () => subscribeToWebhook(client, webhook.id),
            undefined,
          ));
          log.info('Account subscribed to the webhook', {
            accountId: input.accountId,
            webhookId: webhook.id,
            subscribed,
          });
        }
        const window = replayWindow(fromMs, toMs, clock.now());
        if (!window) {
          log.warn('Nothing X can replay in the disarmed window', {
            accountId: input.accountId,
            replayFrom: input.replayFrom,
            replayTo: input.replayTo,
          });
          return { subscribed, webhookId: webhook.id, replayJobId: null };
        }
        const job = await withRateLimitWaits(
          () => createReplayJob(client, webhook.id, window),
          undefined,
        );
        log.info('Replay job started', {
          accountId: input.accountId,
          webhookId: webhook.id,
          replayJobId: job.jobId,
          from: new Date(window.fromMs).toISOString(),
          to: new Date(window.toMs).toISOString(),
        });
        return { subscribed, webhookId: webhook.id, replayJobId: job.jobId };
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        if (listed && isWebhookGone(error))
          throw webhookFailure('webhook_missing', input.webhookUrl, listed.handle);
        fail(error, 'xRearm', input.accountId);
      }
    },
  };
}
