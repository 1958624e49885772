/**
 * The campaign's message handlers: the status query, the signals a person can send from the
 * Web UI or CLI, and the updates the API uses when the caller needs an answer. Each update's
 * validator refuses what is invalid now, naming the phase, before anything is recorded.
 */
import { setHandler } from '@temporalio/workflow';
import {
  interventionCatalog,
  type InterventionKind,
  resolutionRefusal,
} from '../../domain/interventions';
import { changeablePhases, sendingPhases } from '../../domain/phases';
import {
  type ActorInput,
  approveSignal,
  approveUpdate,
  cancelSignal,
  claimReceivedSignal,
  configChangedUpdate,
  entriesArrivedSignal,
  interventionOpenedSignal,
  type MisdeliveryReport,
  pauseSignal,
  reportMisdeliveryUpdate,
  type ResendInput,
  resendUpdate,
  resolveInterventionUpdate,
  type ResolveInterventionUpdateInput,
  resumeSignal,
  statusQuery,
} from '../messages';
import { records } from './activity-proxies';
import {
  approvalRefusal,
  approverRefusal,
  recordConfigChange,
  refusalOfApproval,
} from './approval';
import { type CampaignRun, refuse } from './state';
import { audit, openInterventionOnce, refreshAttention, resolveOpen } from './stops';

export function installHandlers(run: CampaignRun): void {
  const { status, open } = run;

  setHandler(statusQuery, () => status);

  setHandler(claimReceivedSignal, () => {
    run.claimsNudged = true;
  });

  setHandler(approveSignal, async ({ by }) => {
    const round = status.approvalRound ?? 1;
    let refusal = approvalRefusal(run, by);
    // Checked again after the look-up: another approval may have been recorded meanwhile.
    if (!refusal) refusal = await refusalOfApproval(run, by, round);
    if (refusal) {
      if (refusal.code !== 'invalid_in_phase') {
        status.refusedApprovals.push({ by, reason: refusal.code });
      }
      await audit(run, by, 'campaign.approve', 'refused', { code: refusal.code });
      return;
    }
    status.approvedBy = by;
    await audit(run, by, 'campaign.approve', 'ok');
  });

  setHandler(
    approveUpdate,
    async ({ by }) => {
      // The validator has just passed: this is the round the approval arrived in.
      const refusal = await refusalOfApproval(run, by, status.approvalRound ?? 1);
      if (refusal) {
        await audit(run, by, 'campaign.approve', 'refused', { code: refusal.code });
        refuse(refusal.code, refusal.message, status.phase);
      }
      status.approvedBy = by;
      await audit(run, by, 'campaign.approve', 'ok');
      return { approvedBy: by };
    },
    {
      validator: ({ by }: ActorInput) => {
        const refusal = approvalRefusal(run, by);
        if (refusal) refuse(refusal.code, refusal.message, status.phase);
      },
    },
  );

  setHandler(pauseSignal, async ({ by, reason }) => {
    status.paused = true;
    await audit(run, by, 'campaign.pause', 'ok', reason ? { reason } : undefined);
  });

  setHandler(resumeSignal, async ({ by, reason }) => {
    status.paused = false;
    // Resume also answers every stop that a resume resolves (send errors, restrictions).
    for (const intervention of [...open]) {
      if (intervention.blocks !== 'sending') continue;
      if (resolutionRefusal(intervention.kind, 'resume')) continue;
      await resolveOpen(run, intervention, 'resume', { by, ...(reason ? { note: reason } : {}) });
    }
    await audit(run, by, 'campaign.resume', 'ok', reason ? { reason } : undefined);
  });

  setHandler(cancelSignal, async ({ by, reason }) => {
    status.cancelledBy ??= by;
    await audit(run, by, 'campaign.cancel', 'ok', reason ? { reason } : undefined);
  });

  setHandler(entriesArrivedSignal, () => {
    run.entriesArrived = true;
  });

  setHandler(interventionOpenedSignal, ({ interventionId, kind, openedBy }) => {
    if (!interventionCatalog[kind] || open.some((i) => i.id === interventionId)) return;
    open.push({
      id: interventionId,
      kind,
      blocks: interventionCatalog[kind].blocks,
      openedBy,
      openedAt: new Date().toISOString(),
    });
    refreshAttention(run);
  });

  setHandler(
    resendUpdate,
    async ({ by, deliveryIds }) => {
      const result = await records.requeueDeliveries({
        campaignId: run.input.campaignId,
        deliveryIds,
        by,
      });
      if (result.queued > 0) run.queueNudged = true;
      return result;
    },
    {
      validator: ({ deliveryIds }: ResendInput) => {
        if (!sendingPhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; resends are possible while collecting, drawing or delivering`,
            status.phase,
          );
        }
        if (deliveryIds.length === 0 || deliveryIds.length > 500) {
          refuse('invalid_selection', 'Name between 1 and 500 deliveries to resend', status.phase);
        }
      },
    },
  );

  setHandler(
    reportMisdeliveryUpdate,
    async ({ by, reason, selector, followUpText }) =>
      openInterventionOnce(
        run,
        'misdelivery',
        `report:${open.filter((i) => i.kind === 'misdelivery').length}:${by}`,
        { reason: reason ?? null, selector, followUp: { text: followUpText }, reportedBy: by },
        by,
      ),
    {
      validator: ({ followUpText }: MisdeliveryReport) => {
        if (!sendingPhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; a misdelivery can be reported while collecting, drawing or delivering`,
            status.phase,
          );
        }
        if (followUpText.trim() === '') {
          refuse('follow_up_missing', 'The follow-up DM text is empty', status.phase);
        }
      },
    },
  );

  setHandler(
    resolveInterventionUpdate,
    async ({ by, interventionId, resolution, note, stock }) => {
      if (resolution === 'send_follow_up') {
        // The follow-up DM goes out under the brand's name: an approver, not only someone else.
        const refusal = await approverRefusal(by);
        if (refusal) {
          await audit(run, by, 'intervention.resolve', 'refused', {
            code: refusal.code,
            interventionId,
            resolution,
          });
          refuse(refusal.code, refusal.message, status.phase);
        }
      }
      const intervention = open.find((i) => i.id === interventionId);
      if (!intervention) {
        // Resolved by another handler while this one waited: nothing more to do.
        return { interventionId, kind: 'approval' as InterventionKind, resolution, queued: 0 };
      }
      return resolveOpen(run, intervention, resolution, {
        by,
        ...(note ? { note } : {}),
        ...(stock ? { stock } : {}),
      });
    },
    {
      validator: ({ by, interventionId, resolution, stock }: ResolveInterventionUpdateInput) => {
        const intervention = open.find((i) => i.id === interventionId);
        if (!intervention) {
          refuse(
            'intervention_not_open',
            `Campaign has no open intervention '${interventionId}' (phase '${status.phase}')`,
            status.phase,
          );
        }
        const refusal = resolutionRefusal(intervention.kind, resolution);
        if (refusal) refuse('resolution_not_allowed', refusal.en, status.phase);
        if (intervention.kind === 'approval' && resolution === 'approved') {
          refuse(
            'use_approve',
            'Approve the launch with approve, not as a resolution',
            status.phase,
          );
        }
        if (resolution === 'send_follow_up' && by === intervention.openedBy) {
          refuse(
            'reporter_cannot_approve',
            `${by} reported this misdelivery; an approver other than the reporter approves the follow-up`,
            status.phase,
          );
        }
        if (resolution === 'add_stock' && !stock?.some((unit) => unit.amount > 0)) {
          refuse(
            'stock_missing',
            'add_stock needs at least one prize with a positive amount',
            status.phase,
          );
        }
      },
    },
  );

  setHandler(
    configChangedUpdate,
    async ({ by, configVersion }: ActorInput & { configVersion: number }) =>
      recordConfigChange(run, by, configVersion, 'configuration changed after approval'),
    {
      validator: (_change: ActorInput & { configVersion: number }) => {
        if (!changeablePhases.includes(status.phase)) {
          refuse(
            'invalid_in_phase',
            `Campaign is in phase '${status.phase}'; the configuration can change until delivery ends`,
            status.phase,
          );
        }
      },
    },
  );
}
