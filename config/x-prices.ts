/**
 * The X API price table Kuji prices its own calls with (domain/x-cost.ts). Defaults are X's
 * published pay-per-use prices; `KUJI_X_PRICES` (JSON) overrides any of them, validated at
 * start-up like config/settings.ts so a bad value fails loudly with its name.
 */
import { z } from 'zod';
import { type XPriceTable, xCostKinds } from '../domain/x-cost';

/**
 * Read on 2026-12-03 from https://docs.x.com/x-api/getting-started/pricing ("Credit consumption
 * details"): Posts: Read $0.005 and User: Read $0.010 per resource, Following/Followers: Read and
 * DM Event: Read $0.010 per resource, Content: Create $0.015 per request ($0.200 with a URL),
 * DM Interaction: Create $0.015 per request. X may charge its cheaper "Owned Reads" ($0.001) for
 * an account's own followers and mentions; these defaults price them as ordinary reads.
 */
export const defaultXPrices: XPriceTable = {
  usdPerUnit: {
    post_read: 0.005,
    user_read: 0.01,
    follow_read: 0.01,
    dm_event_read: 0.01,
    dm_create: 0.015,
    post_create: 0.015,
    post_create_url: 0.2,
  },
  readOn: '2026-12-03',
  source: 'https://docs.x.com/x-api/getting-started/pricing',
};

const usdSchema = z.number().min(0).max(1000);

const overrideSchema = z
  .object({
    usdPerUnit: z
      .partialRecord(z.enum(xCostKinds), usdSchema)
      .refine((prices) => Object.keys(prices).length > 0, 'name at least one kind')
      .optional(),
    readOn: z.iso.date().optional(),
    // Shown as a link in the console and the report: an http(s) address or nothing.
    source: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL of where the prices were read' })
      .max(500)
      .optional(),
  })
  .strict()
  .refine((o) => !o.usdPerUnit || o.readOn, {
    path: ['readOn'],
    message: 'date the new prices (YYYY-MM-DD, the day they were read)',
  });

/**
 * `KUJI_X_PRICES='{"usdPerUnit":{"dm_create":0.02},"readOn":"2027-01-15"}'`: the kinds named
 * replace the defaults, the rest stay; `readOn` (required with prices) dates the new figures;
 * `source`, when given, is the http(s) address they were read from (else the source reads
 * `KUJI_X_PRICES`, shown as words, not a link).
 */
export function loadXPrices(env: NodeJS.ProcessEnv = process.env): XPriceTable {
  const raw = env.KUJI_X_PRICES;
  if (raw === undefined || raw.trim() === '') return defaultXPrices;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('invalid configuration: KUJI_X_PRICES: not JSON');
  }
  const parsed = overrideSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `KUJI_X_PRICES.${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const override = parsed.data;
  return {
    usdPerUnit: { ...defaultXPrices.usdPerUnit, ...override.usdPerUnit },
    readOn: override.readOn ?? defaultXPrices.readOn,
    source: override.source ?? (override.usdPerUnit ? 'KUJI_X_PRICES' : defaultXPrices.source),
  };
}
