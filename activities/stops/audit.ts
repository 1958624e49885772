/**
 * Who may act, and what they did: the approver check for approvals that reach the workflow
 * without the API (a signal from the Temporal Web UI or CLI), and the audit trail of actions that
 * reached the workflow directly.
 */
import type { Db } from '../../db/client';
import { findActiveApprover } from '../../db/repositories/approvers';
import { type AuditEntry, insertAuditEntry } from '../../db/repositories/audit-log';
import { isStorableText, storableText } from '../../domain/storable-text';

/** Longer than any key id or name: a signal's `by` is cut to this in the audit log. */
const MAX_ACTOR_LENGTH = 200;

function storableAuditEntry(entry: AuditEntry): AuditEntry {
  const clean = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value ?? null), (_key, item: unknown) =>
      typeof item === 'string' ? storableText(item) : item,
    );
  return {
    ...entry,
    actor: storableText(entry.actor).slice(0, MAX_ACTOR_LENGTH),
    ...(entry.details !== undefined ? { details: clean(entry.details) } : {}),
  };
}

export function createAuditActivities({ db }: { db: Db }) {
  return {
    /**
     * Whether `by` names a live approver key (role approver or admin): approvals that reach the
     * workflow without the API (a signal from the Web UI or CLI) are checked here.
     */
    async isActiveApprover(input: { by: string }): Promise<boolean> {
      // Typed by hand in the Web UI or CLI: what no key id can be is no approver, not a failure
      // retried for ever (PostgreSQL refuses NUL and unpaired surrogates).
      if (input.by.length > MAX_ACTOR_LENGTH || !isStorableText(input.by)) return false;
      return (await findActiveApprover(db, input.by)) !== undefined;
    },

    /**
     * An action that reached the workflow directly (Web UI, CLI), recorded with its outcome;
     * text typed by hand is cleaned so it is always stored.
     */
    async recordAudit(entry: AuditEntry): Promise<void> {
      await insertAuditEntry(db, storableAuditEntry(entry));
    },
  };
}
