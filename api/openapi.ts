import { jsonSchemaTransform } from 'fastify-type-provider-zod';

type Transform = typeof jsonSchemaTransform;
type JsonSchema = { type?: unknown; description?: string; properties?: Record<string, unknown> };

/** Whether a response schema is the API's error shape `{ code, message, details? }`. */
function isErrorShape(schema: JsonSchema): boolean {
  return Boolean(schema.properties?.code && schema.properties.message);
}

/**
 * The zod transform, then what the document must say that the route schemas cannot: a 204 has
 * no body at all, and every error is JSON even on a route that produces CSV, HTML or text.
 */
export const openApiTransform: Transform = (input) => {
  const transformed = jsonSchemaTransform(input);
  const response = (transformed.schema as { response?: Record<string, JsonSchema> }).response;
  if (!response) return transformed;
  for (const [status, schema] of Object.entries(response)) {
    if (status === '204') {
      response[status] = { type: 'null', description: schema.description ?? 'No content' };
    } else if (Number(status) >= 400 && isErrorShape(schema)) {
      response[status] = {
        description: schema.description ?? 'Error',
        content: { 'application/json': { schema } },
      } as JsonSchema;
    }
  }
  return transformed;
};
