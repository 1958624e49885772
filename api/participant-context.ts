/**
 * Loads what the participant view shows, for `/c/:campaignId` and for personal result links
 * alike: the campaign as approved, the published draw, and one participant's result.
 */
import type { FastifyInstance } from 'fastify';
import { findCampaignPage, listDrawnEntryIds } from '../db/repositories/campaign-pages';
import { findDraw, type StoredDraw } from '../db/repositories/draws';
import { findParticipantUsername } from '../db/repositories/participant-handles';
import { findParticipantResult } from '../db/repositories/results';
import type { CampaignConfig } from '../domain/campaign-config';
import { entriesDigest } from '../domain/lottery';
import type { ClaimIssue } from '../domain/claims';
import { parseStoredConfig, storedConfigKey } from '../domain/stored-config';
import { verificationCode } from '../domain/verification';
import { formCredential, loadClaimForPage } from './participant-claims';
import { csrfToken } from './participant-session';
import { type ParticipantAuth, participantAuth } from './participant-signin';
import { participantView, type SignInNotice } from './participant-view';
import { CALLBACK_PATH } from './x-linking';

export interface PageCampaign {
  id: string;
  name: string;
  phase: string;
  secretSeed: string | null;
  approved: boolean;
  /** null when the stored configuration does not parse (the page then shows less). */
  config: CampaignConfig | null;
}

export async function loadPageCampaign(
  app: FastifyInstance,
  campaignId: string,
): Promise<PageCampaign | undefined> {
  const row = await findCampaignPage(app.db, campaignId);
  if (!row) return undefined;
  const parsed = parseStoredConfig(row.config, storedConfigKey(row.id, row.configVersion));
  return {
    id: row.id,
    name: row.name,
    phase: row.phase,
    secretSeed: row.secretSeed,
    approved: row.approved,
    config: parsed.success ? parsed.data : null,
  };
}

/**
 * The draw's entry list (X user ids, sorted), or undefined when the entries Kuji holds now no
 * longer reproduce the published digest: then nothing is published rather than a wrong list.
 */
export async function loadDrawEntries(
  app: FastifyInstance,
  draw: StoredDraw,
): Promise<string[] | undefined> {
  const ids = await listDrawnEntryIds(app.db, draw.campaignId);
  const computed = entriesDigest(ids);
  if (computed.digest !== draw.digest || computed.entryCount !== draw.entryCount) {
    app.log.error(
      { campaignId: draw.campaignId, entryCount: ids.length, expected: draw.entryCount },
      "the draw's entry list no longer matches its digest; not published",
    );
    return undefined;
  }
  return ids;
}

/** Who is looking: nobody signed in, a signed-in participant, or a personal link's holder. */
export type PageViewer =
  | { kind: 'anonymous' }
  | { kind: 'session'; xUserId: string; cookie: string }
  | { kind: 'link'; xUserId: string; token: string };

/** The public base URL: where X's callback is registered, less the callback's path. */
function publicBaseUrl(auth: ParticipantAuth): string | null {
  const { redirectUri } = auth.linking.client;
  return redirectUri.endsWith(CALLBACK_PATH) ? redirectUri.slice(0, -CALLBACK_PATH.length) : null;
}

export function campaignPath(campaignId: string): string {
  return `/c/${encodeURIComponent(campaignId)}`;
}

export function resultLinkPath(campaignId: string, xUserId: string, token: string): string {
  return `/r/${encodeURIComponent(campaignId)}/${encodeURIComponent(xUserId)}/${token}`;
}

/** The participant view of `campaign` for `viewer`, as HTML. */
export async function renderParticipantPage(
  app: FastifyInstance,
  input: {
    campaign: PageCampaign;
    viewer: PageViewer;
    notice: SignInNotice | null;
    /** After a refused claim: what they typed and what was wrong. */
    refusedClaim?: { values: Record<string, string>; issues: readonly ClaimIssue[] };
  },
): Promise<string> {
  const { campaign, viewer } = input;
  const auth = participantAuth(app);
  const draw = await findDraw(app.db, campaign.id);
  const drawFacts = draw
    ? {
        seed: draw.seed,
        digest: draw.digest,
        entryCount: draw.entryCount,
        publicBaseUrl: auth ? publicBaseUrl(auth) : null,
      }
    : null;
  const page = { id: campaign.id, name: campaign.name, config: campaign.config };
  if (viewer.kind === 'anonymous') {
    return participantView({
      campaign: page,
      draw: drawFacts,
      viewer: {
        kind: 'anonymous',
        signInUrl: auth ? `${campaignPath(campaign.id)}/signin` : null,
      },
      notice: input.notice,
    });
  }
  const result = await findParticipantResult(app.db, campaign.id, viewer.xUserId);
  const claims = await loadClaimForPage(app, campaign, viewer, auth, input.refusedClaim);
  const csrf = auth ? csrfToken(auth.sessionKey, formCredential(viewer)) : null;
  return participantView({
    campaign: page,
    draw: drawFacts,
    viewer: {
      kind: 'participant',
      via: viewer.kind,
      xUserId: viewer.xUserId,
      result,
      claim: claims.claim,
      claimForm: claims.form,
      verificationCode:
        campaign.secretSeed && result
          ? verificationCode(campaign.secretSeed, viewer.xUserId)
          : null,
      username:
        viewer.kind === 'session'
          ? ((await findParticipantUsername(app.db, campaign.id, viewer.xUserId)) ?? null)
          : null,
      signOut:
        viewer.kind === 'session' && csrf
          ? { action: `${campaignPath(campaign.id)}/signout`, csrf }
          : null,
    },
    notice: input.notice,
  });
}
