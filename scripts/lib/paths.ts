import path from 'node:path';

/** Repository root (scripts/lib/ is two levels down). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Provisioned tools live here; ignored by git, safe to delete (they are rebuilt). */
export const cacheDir = process.env.KUJI_CACHE_DIR ?? path.join(repoRoot, '.cache');

/** State of the local stack (PostgreSQL data, Temporal SQLite file, admin key). */
export const dataDir = process.env.KUJI_DATA_DIR ?? path.join(repoRoot, '.data');
