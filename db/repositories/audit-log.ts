import type { Db } from '../client';

export interface AuditEntry {
  actor: string;
  action: string;
  campaignId?: string | null;
  subject?: string | null;
  outcome: 'ok' | 'refused' | 'failed';
  details?: unknown;
}

export async function insertAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      campaign_id: entry.campaignId ?? null,
      subject: entry.subject ?? null,
      outcome: entry.outcome,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    })
    .execute();
}

export async function listAuditEntries(db: Db, options: { campaignId?: string; limit: number }) {
  let query = db
    .selectFrom('audit_log')
    .select([
      'id',
      'at',
      'actor',
      'action',
      'campaign_id as campaignId',
      'subject',
      'outcome',
      'details',
    ])
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.campaignId) query = query.where('campaign_id', '=', options.campaignId);
  return query.execute();
}
