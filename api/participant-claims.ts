/**
 * Claiming a prize from the participant view: the claim shown on the page with its form, and the
 * form's submission (validated by domain/claims.ts, sealed by api/claim-answers.ts, stored by
 * db/repositories/claims.ts, then the campaign's workflow is told so it can finish once every
 * prize is claimed).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { findClaim, submitClaim } from '../db/repositories/claims';
import { type ClaimIssue, validateClaimAnswers } from '../domain/claims';
import { claimReceivedSignal } from '../workflows/messages';
import { campaignWorkflowId } from '../workflows/search-attributes';
import { sealClaimAnswers } from './claim-answers';
import type { PageCampaign, PageViewer } from './participant-context';
import type { ClaimForPage, ClaimFormContext } from './participant-result';
import { csrfToken } from './participant-session';
import type { ParticipantAuth } from './participant-signin';

export function claimPath(campaignId: string): string {
  return `/c/${encodeURIComponent(campaignId)}/claim`;
}

/** What authorises a form on the page: the session cookie, or the personal link's token. */
export function formCredential(viewer: Exclude<PageViewer, { kind: 'anonymous' }>): string {
  return viewer.kind === 'session' ? `session:${viewer.cookie}` : `link:${viewer.token}`;
}

/** The participant's claim as the page shows it, and its form while it can be claimed. */
export async function loadClaimForPage(
  app: FastifyInstance,
  campaign: PageCampaign,
  viewer: Exclude<PageViewer, { kind: 'anonymous' }>,
  auth: ParticipantAuth | undefined,
  refused: { values: Record<string, string>; issues: readonly ClaimIssue[] } | undefined,
  now: Date = new Date(),
): Promise<{ claim: ClaimForPage | undefined; form: ClaimFormContext | undefined }> {
  const claimConfig = campaign.config?.claim;
  if (!claimConfig) return { claim: undefined, form: undefined };
  const found = await findClaim(app.db, campaign.id, viewer.xUserId);
  if (!found) return { claim: undefined, form: undefined };
  // Past its deadline an open claim can no longer be claimed; the workflow forfeits it shortly.
  const claim: ClaimForPage =
    found.state === 'open' && found.deadlineAt.getTime() <= now.getTime()
      ? { ...found, state: 'forfeited' }
      : found;
  if (claim.state !== 'open' || !auth) return { claim, form: undefined };
  return {
    claim,
    form: {
      fields: claimConfig.fields,
      action: claimPath(campaign.id),
      hidden: {
        csrf: csrfToken(auth.sessionKey, formCredential(viewer)),
        ...(viewer.kind === 'link' ? { xUserId: viewer.xUserId, token: viewer.token } : {}),
      },
      values: refused?.values ?? {},
      issues: refused?.issues ?? [],
    },
  };
}

export type ClaimSubmission =
  | { status: 'claimed' }
  | { status: 'invalid'; values: Record<string, string>; issues: ClaimIssue[] }
  | {
      status: 'refused';
      reason: 'claims_off' | 'no_claim' | 'already_claimed' | 'forfeited' | 'expired';
    };

/** Validates and stores a claim; tells the workflow when one was stored. */
export async function submitClaimForm(
  app: FastifyInstance,
  auth: ParticipantAuth,
  campaign: PageCampaign,
  xUserId: string,
  form: Record<string, string>,
  now: Date = new Date(),
): Promise<ClaimSubmission> {
  const claimConfig = campaign.config?.claim;
  if (!claimConfig) return { status: 'refused', reason: 'claims_off' };
  const values = Object.fromEntries(claimConfig.fields.map((field) => [field, form[field] ?? '']));
  const validation = validateClaimAnswers(claimConfig.fields, form);
  if (!validation.ok) return { status: 'invalid', values, issues: validation.issues };
  const answers =
    claimConfig.fields.length > 0 ? (validation.answers as Record<string, string>) : null;
  const submitted = await submitClaim(app.db, {
    campaignId: campaign.id,
    xUserId,
    sealedAnswers: sealClaimAnswers(
      auth.linking.credentialsKey,
      { campaignId: campaign.id, xUserId },
      answers,
    ),
    now,
  });
  if (!submitted.ok) return { status: 'refused', reason: submitted.reason };
  try {
    await app.temporal.workflow
      .getHandle(campaignWorkflowId(campaign.id))
      .signal(claimReceivedSignal);
  } catch (error) {
    // A campaign whose run has ended needs no nudge; the claim is stored either way.
    if (!(error instanceof WorkflowNotFoundError)) {
      app.log.warn({ err: error, campaignId: campaign.id }, 'claimReceived signal failed');
    }
  }
  return { status: 'claimed' };
}
