import { sql } from 'kysely';
import type { Db } from '../client';

/** The cheapest round trip that proves PostgreSQL answers (the health check). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
