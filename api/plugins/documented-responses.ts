import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorResponseSchema } from '../schemas/common';

/**
 * Answers any route can give before its handler runs, added to each route's documented
 * responses unless the route documents them itself, so the OpenAPI document lists every status
 * the API answers: bad JSON or unstorable text (400), a body over the limit (413), a path
 * parameter over the router's limit (414), a content type the route does not take (415), the
 * rate limit (429), and a URL with headers over Node's limit (431).
 */
const commonResponses = {
  400: errorResponseSchema.describe(
    'Invalid request: a field fails validation, the JSON does not parse, or a string holds a NUL or an unpaired surrogate',
  ),
  413: errorResponseSchema.describe('The body is larger than the API accepts'),
  414: errorResponseSchema.describe('A path parameter is longer than the API accepts'),
  415: errorResponseSchema.describe('The content type is not one the route accepts (JSON)'),
  431: errorResponseSchema.describe('The URL and headers are larger than the server accepts'),
  429: errorResponseSchema.describe(
    'Rate limited per API key and per address; `retry-after` gives the seconds to wait',
  ),
} as const;

export default fp(function documentedResponses(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as
      { hide?: boolean; response?: Record<string, unknown> } | undefined;
    if (!schema || schema.hide) return;
    const response = (schema.response ??= {});
    for (const [status, described] of Object.entries(commonResponses)) {
      if (!(status in response)) response[status] = described;
    }
  });
});
