/**
 * The activities the campaign workflow schedules, grouped by how they may fail and how long they
 * may take. Each group is one set of options: a timeout, a heartbeat where the work is long, and
 * a retry policy that matches the kind of failure.
 */
import {
  ActivityCancellationType,
  type ActivityOptions,
  proxyActivities,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Small database writes: the phase, interventions, the audit trail. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Loads prizes and the plan; computes the report. */
export const planning = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Deciding entries and drawing read participants' profiles and follows from X, storing each
 * answer as it comes and heartbeating: a worker that dies mid-batch is replaced within minutes,
 * and a retry goes on from what was stored.
 */
export const deciding = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Preflight asks X who the sender is, checks the webhook and rehearses DMs to test accounts,
 * some calls waiting out a rate-limit window: it heartbeats after each step.
 */
export const checking = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The webhook check at the start of collection and re-arming (CRC check, subscribe, replay
 * job). A few attempts: a person is waiting on a re-arm.
 */
export const arming = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

/** How often X's lists are read while collecting: the watch's retry interval. */
export const POLL_INTERVAL = '1 minute';

/**
 * Polling as an activity, Temporal's "infrequent polling" pattern: each attempt reads X's lists
 * and checks the webhook when due, completes when there is something for the workflow (entries
 * to decide, a webhook gone), and otherwise fails so the retry policy runs it again a minute
 * later. Attempts waiting for their retry add nothing to the history, so an idle hour of
 * collecting costs no events; the webhook's nudge still decides entries within seconds.
 */
export const watching = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: POLL_INTERVAL, backoffCoefficient: 1 },
});

/** The last read of X's lists at the end of collection: a few attempts, then go on. */
export const finalPolling = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 5,
  },
});

/**
 * Sending: one activity delivers a batch of queued DMs, paced inside it and heartbeating after
 * each; the workflow cancels it on a pause, a cancel, a change or a stop and waits for it to say
 * where it stopped. The batch owns its retries of transient failures, X's or the database's
 * (deliver-batch.ts: 5 s, doubling, 10 in a row, each carried in the failure); this policy's own
 * backoff is for an attempt lost with its worker, which goes on from its last heartbeat after a
 * second, as many times as a rolling deploy or a crash loop needs before a person is asked.
 */
export const sendingOptions = {
  startToCloseTimeout: '2 hours',
  // The batch heartbeats every second, also while an X call waits: a worker that dies mid-batch
  // is noticed within 10 s and the batch goes on from its last heartbeat on another worker.
  heartbeatTimeout: '10 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 1, maximumAttempts: 50 },
} satisfies ActivityOptions;

export const sending = proxyActivities<Activities>(sendingOptions);
