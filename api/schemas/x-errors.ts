import { z } from 'zod';

const localized = z.object({ ja: z.string(), en: z.string() });

/** A failure code in words, from the catalogue deliveries use (README's failure-code table). */
export const errorWordsSchema = z
  .object({
    code: z.string(),
    category: z.string(),
    reason: localized,
    remedy: localized,
  })
  .describe('The failure code with its reason and remedy in Japanese and English');
