import { z } from 'zod';

export const errorResponseSchema = z
  .object({
    code: z.string().describe('Stable machine-readable error code'),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .describe('Every error answers this shape');

export const errorResponses = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
} as const;

export const idParamsSchema = z.object({ id: z.string().min(1).max(200) });

export const actorBodySchema = z
  .object({ reason: z.string().max(500).optional() })
  .strict()
  .default({});
