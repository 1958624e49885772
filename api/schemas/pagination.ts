import { z } from 'zod';

/** `limit` and `offset` of a list route: every list answers a bounded page. */
export const pageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe('At most this many items (1–500, default 100)'),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe('Skip this many items (pages: offset = page × limit)'),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;
