/** `tsx db/migrate-cli.ts`: brings DATABASE_URL's schema to the latest migration (production). */
import { loadSettings, requireDatabaseUrl } from '../config/settings';
import { createDb } from './client';
import { migrateToLatest } from './migrate';

async function main() {
  const db = createDb(requireDatabaseUrl(loadSettings()), { max: 1 });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
