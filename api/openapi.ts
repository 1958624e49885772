import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

type Transform = typeof jsonSchemaTransform;
type JsonSchema = { type?: unknown; description?: string; properties?: Record<string, unknown> };

/** Whether a response schema is the API's error shape `{ code, message, details? }`. */
function isErrorShape(schema: JsonSchema): boolean {
  return Boolean(schema.properties?.code && schema.properties.message);
}

/** The API's error shape, for the JSON a page route may also answer (see below). */
const errorShape = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
};

const redirects = new Set(['301', '302', '303', '307', '308']);

/**
 * The zod transform, then what the document must say that the route schemas cannot: a 204 and a
 * redirect have no body at all; every error is JSON even on a route that produces CSV, HTML or
 * text; and a page route's 400 may also be the API's JSON (a path that is no valid URL is refused
 * before the route's own error page).
 */
export const openApiTransform: Transform = (input) => {
  const transformed = jsonSchemaTransform(input);
  const response = (transformed.schema as { response?: Record<string, JsonSchema> }).response;
  if (!response) return transformed;
  const produces = (input.schema as { produces?: readonly string[] } | undefined)?.produces ?? [];
  for (const [status, schema] of Object.entries(response)) {
    if (status === '204' || redirects.has(status)) {
      response[status] = { type: 'null', description: schema.description ?? 'No content' };
    } else if (status === '400' && produces.includes('text/html') && !isErrorShape(schema)) {
      response[status] = {
        description: schema.description ?? 'Bad request',
        content: { 'text/html': { schema }, 'application/json': { schema: errorShape } },
      } as JsonSchema;
    } else if (Number(status) >= 400 && isErrorShape(schema)) {
      response[status] = {
        description: schema.description ?? 'Error',
        content: { 'application/json': { schema } },
      } as JsonSchema;
    }
  }
  return transformed;
};

type Operation = {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
  security?: Record<string, unknown>[];
  parameters?: { in: string; name: string }[];
};

const unsafeMethods = new Set(['post', 'put', 'patch', 'delete']);

/** The console session's CSRF header, on an unsafe operation the session cookie may call. */
const csrfHeader = {
  in: 'header',
  name: 'x-csrf-token',
  required: false,
  description:
    'With the console session cookie: its `csrfToken` (403 `csrf_failed` without it). ' +
    'Not needed with a bearer key.',
  schema: { type: 'string' },
};

/**
 * The finished document: a body with a default (an action's optional `{ reason }`, say) is not
 * required, since the API takes the request without one; an unsafe operation open to the console
 * session (the document's default security, or one naming it) lists the CSRF header.
 */
export const openApiTransformObject: SwaggerTransformObject = (document) => {
  if (!('openapiObject' in document)) return document.swaggerObject;
  const openapi = document.openapiObject;
  for (const methods of Object.values(openapi.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods ?? {}) as [string, Operation][]) {
      if (
        unsafeMethods.has(method) &&
        (operation.security?.some((scheme) => 'consoleSession' in scheme) ?? true)
      ) {
        operation.parameters = [...(operation.parameters ?? []), csrfHeader];
      }
      const body = operation?.requestBody;
      const schema = body?.content?.['application/json']?.schema;
      if (body && schema && 'default' in schema) body.required = false;
    }
  }
  return openapi;
};
