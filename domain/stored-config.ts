import { campaignConfigSchema, type CampaignConfig } from './campaign-config';

/**
 * A stored configuration never changes under its version: `(campaign id, config version)` names
 * it for good. Parsing one with 100,000 prize codes costs tens of milliseconds, and webhook
 * deliveries and activities would pay that on every event; parse each version once instead.
 */
export type StoredConfigResult =
  | { success: true; data: CampaignConfig }
  | { success: false; issues: { path: string; message: string }[] };

/** Enough for every running campaign of a busy deployment; the oldest entry goes first. */
const maxEntries = 256;
const parsed = new Map<string, StoredConfigResult>();

/** The memo key of a campaign's configuration version, e.g. `storedConfigKey('c-1', 3)`. */
export function storedConfigKey(campaignId: string, configVersion: number | string): string {
  return `${campaignId}\u0001${configVersion}`;
}

/**
 * The stored JSON of configuration version `key` parsed by the campaign schema, from memory when
 * this version was parsed before. The result is shared: callers must not mutate it.
 */
export function parseStoredConfig(json: unknown, key: string): StoredConfigResult {
  const known = parsed.get(key);
  if (known) {
    // Re-inserted so the most recently used entries are the last to be evicted.
    parsed.delete(key);
    parsed.set(key, known);
    return known;
  }
  const result = campaignConfigSchema.safeParse(json);
  const stored: StoredConfigResult = result.success
    ? { success: true, data: result.data }
    : {
        success: false,
        issues: result.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        })),
      };
  parsed.set(key, stored);
  if (parsed.size > maxEntries) {
    const oldest = parsed.keys().next();
    if (!oldest.done) parsed.delete(oldest.value);
  }
  return stored;
}

/** How many parsed versions are held (for tests). */
export function storedConfigMemoSize(): number {
  return parsed.size;
}
