import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { insertAuditEntry } from '../db/repositories/audit-log';
import type { Campaign } from '../db/repositories/campaigns';
import { AppError } from './errors';

/** Refusals that are about who asks, not about the campaign's state. */
const forbiddenCodes = new Set([
  'author_cannot_approve',
  'reporter_cannot_approve',
  'not_an_approver',
]);

export function campaignHandle(app: FastifyInstance, campaign: Campaign): WorkflowHandle {
  if (!campaign.workflowId) {
    throw new AppError(
      409,
      'campaign_not_started',
      `Campaign '${campaign.id}' has not been started`,
    );
  }
  return app.temporal.workflow.getHandle(campaign.workflowId);
}

/** The answer to any action on a campaign whose workflow has ended: 409 with its phase. */
export function campaignClosed(campaign: Campaign): AppError {
  return new AppError(
    409,
    'campaign_closed',
    `Campaign '${campaign.id}' is no longer running (phase '${campaign.phase}')`,
    { phase: campaign.phase },
  );
}

/**
 * Runs a workflow update and turns its validator's refusal into the API's answer: 409 (403 when
 * the refusal is about the caller) with the workflow's code, its message and the phase. A refusal
 * is recorded in the audit log — the workflow records what it accepts.
 */
export async function runCampaignUpdate<T>(
  app: FastifyInstance,
  campaign: Campaign,
  audit: { actor: string; action: string; subject?: string },
  call: (handle: WorkflowHandle) => Promise<T>,
): Promise<T> {
  const handle = campaignHandle(app, campaign);
  try {
    return await call(handle);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw campaignClosed(campaign);
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const code = error.cause.type ?? 'refused';
      const phase = (error.cause.details?.[0] as { phase?: string } | undefined)?.phase;
      await insertAuditEntry(app.db, {
        actor: audit.actor,
        action: audit.action,
        campaignId: campaign.id,
        subject: audit.subject ?? null,
        outcome: 'refused',
        details: { code, message: error.cause.message, phase },
      });
      throw new AppError(forbiddenCodes.has(code) ? 403 : 409, code, error.cause.message, {
        phase,
      });
    }
    throw error;
  }
}
