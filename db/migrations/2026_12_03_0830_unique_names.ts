import { type Kysely, sql } from 'kysely';

// An API key's name is who did it in the audit log, and an account's handle is how operators
// pick a sender: neither may be taken twice (case-insensitively, as X treats handles). A revoked
// key gives its name back, so a rotated key can keep the name of the one it replaces.
export async function up(db: Kysely<any>): Promise<void> {
  // Keys named twice before this rule: the newer ones get their id appended, so nobody loses access.
  await sql`update api_keys k set name = k.name || ' (' || k.id || ')'
            where k.revoked_at is null and exists (
              select 1 from api_keys older
              where older.revoked_at is null and lower(older.name) = lower(k.name)
                and (older.created_at, older.id) < (k.created_at, k.id))`.execute(db);
  await sql`create unique index api_keys_active_name on api_keys (lower(name))
            where revoked_at is null`.execute(db);

  const duplicated = await sql<{ handle: string; ids: string }>`
    select lower(handle) as handle, string_agg(id, ', ' order by id) as ids
    from accounts group by lower(handle) having count(*) > 1`.execute(db);
  if (duplicated.rows.length > 0) {
    const list = duplicated.rows.map((row) => `@${row.handle}: ${row.ids}`).join('; ');
    throw new Error(
      `sender accounts share a handle (${list}); keep one account per handle before upgrading`,
    );
  }
  await sql`create unique index accounts_handle on accounts (lower(handle))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index accounts_handle`.execute(db);
  await sql`drop index api_keys_active_name`.execute(db);
}
