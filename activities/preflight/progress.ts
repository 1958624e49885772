/** How far preflight got, as its heartbeats tell Temporal (and the Web UI's pending activity). */
import { asyncLocalStorage } from '@temporalio/activity';

/** Steps and counts only — never a test account's id or a text. */
export interface PreflightProgress {
  step:
    | 'sender_checked'
    | 'armed_checked'
    | 'test_accounts_found'
    | 'rehearsal_sent'
    | 'rehearsal_confirmed';
  round: number;
  /** Rehearsal DMs handled so far (rehearsal_sent), or conversations read (rehearsal_confirmed). */
  done?: number;
  /** Rehearsal DMs planned in all (rehearsal_sent). */
  of?: number;
}

/**
 * Preflight makes a series of X calls (each up to the client's request timeout, some waiting out
 * a rate-limit window): a heartbeat after each step lets the workflow's heartbeat timeout tell a
 * slow preflight from a stuck one. Called outside an activity (a test, a script), there is no
 * Temporal to tell.
 */
export function heartbeat(progress: PreflightProgress): void {
  asyncLocalStorage.getStore()?.heartbeat(progress);
}
