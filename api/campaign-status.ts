import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type CampaignStatus, statusQuery } from '../workflows/messages';

/**
 * How long the API waits for a workflow's own answer. Without a worker the status query would
 * wait about 30 s on the server; past this the API answers from the stored state instead.
 */
export const LIVE_STATUS_DEADLINE_MS = 2_000;

export type LiveStatusErrorCode =
  'status_query_timeout' | 'status_query_failed' | 'workflow_not_found';

export const liveStatusErrorCodes = [
  'status_query_timeout',
  'status_query_failed',
  'workflow_not_found',
] as const satisfies readonly LiveStatusErrorCode[];

export interface LiveStatusError {
  code: LiveStatusErrorCode;
  reason: { ja: string; en: string };
}

/** What the workflow itself says, or why it could not say it in time. */
export type CampaignWorkflowStatus =
  | { live: true; status: string | null; state: CampaignStatus; error: null }
  | { live: false; status: string | null; state: null; error: LiveStatusError };

const seconds = LIVE_STATUS_DEADLINE_MS / 1000;

const liveStatusReasons: Record<LiveStatusErrorCode, LiveStatusError['reason']> = {
  status_query_timeout: {
    ja: `ワークフローが${seconds}秒以内に状態を返しませんでした（ワーカーが動いていない可能性があります）。データベースに保存された状態を表示しています。`,
    en: `The workflow did not answer its status query within ${seconds} s (is a worker running?). Showing the state stored in the database.`,
  },
  status_query_failed: {
    ja: 'ワークフローの状態を照会できませんでした（詳細はAPIのログにあります）。データベースに保存された状態を表示しています。',
    en: "The workflow's status query failed (details in the API log). Showing the state stored in the database.",
  },
  workflow_not_found: {
    ja: 'Temporalにこのワークフローがありません（保持期間を過ぎて削除された可能性があります）。データベースに保存された状態を表示しています。',
    en: 'Temporal no longer has this workflow (its retention period may have passed). Showing the state stored in the database.',
  },
};

function liveStatusError(code: LiveStatusErrorCode): LiveStatusError {
  return { code, reason: liveStatusReasons[code] };
}

function failureCode(queryFailure: unknown, describeFailure: unknown): LiveStatusErrorCode {
  if (
    queryFailure instanceof WorkflowNotFoundError ||
    describeFailure instanceof WorkflowNotFoundError
  ) {
    return 'workflow_not_found';
  }
  // Nothing here cancels a call: a CANCELLED comes from the server, whose side of the call ended
  // with the deadline it was sent, a moment before the client's own timer.
  if (isGrpcDeadlineError(queryFailure) || isGrpcCancelledError(queryFailure)) {
    return 'status_query_timeout';
  }
  return 'status_query_failed';
}

/**
 * The workflow's execution status and its `status` query, both within one short deadline, so
 * the answer reflects whatever changed the workflow (API, CLI or Web UI signal) and never hangs
 * when no worker answers.
 */
export async function readCampaignWorkflowStatus(
  app: FastifyInstance,
  workflowId: string,
  log: FastifyBaseLogger,
  deadlineMs = LIVE_STATUS_DEADLINE_MS,
): Promise<CampaignWorkflowStatus> {
  const client = app.temporal;
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + deadlineMs;
  const [described, queried] = await Promise.allSettled([
    client.withDeadline(deadline, () => handle.describe()),
    client.withDeadline(deadline, () => handle.query(statusQuery)),
  ]);
  const status = described.status === 'fulfilled' ? described.value.status.name : null;
  if (queried.status === 'fulfilled') {
    return { live: true, status, state: queried.value, error: null };
  }
  const failure: unknown = queried.reason;
  const code = failureCode(failure, described.status === 'rejected' ? described.reason : null);
  log.warn({ err: failure, workflowId, code }, 'status query failed: answering the stored state');
  return { live: false, status, state: null, error: liveStatusError(code) };
}
