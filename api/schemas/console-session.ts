import { z } from 'zod';

export const principalSchema = z
  .object({
    id: z.string().describe('The API key id: who acts, as the audit log records it'),
    name: z.string().describe("The API key's display name"),
    role: z.enum(['admin', 'operator', 'approver', 'viewer']),
  })
  .describe('Who is signed in: the API key behind the request');

export const consoleSessionSchema = z.object({
  principal: principalSchema,
  csrfToken: z
    .string()
    .describe(
      'Send it as the `x-csrf-token` header on every POST, PUT, PATCH and DELETE made with the ' +
        'session cookie; the same for the whole session',
    ),
  expiresAt: z.string().describe('When the session ends (ISO 8601): 12 hours after sign-in'),
});

export const signInBodySchema = z
  .object({
    apiKey: z.string().trim().min(1).max(1024).describe('An API key (its secret), never stored'),
  })
  .strict();

export const permissionsSchema = z
  .object({
    read: z.boolean(),
    operate: z.boolean(),
    approve: z.boolean(),
    pause: z.boolean(),
    admin: z.boolean(),
  })
  .describe("What the principal's role may do (the API's own role matrix)");
