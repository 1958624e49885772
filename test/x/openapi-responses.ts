/**
 * An OpenAPI response validator over X's committed document (x/openapi/openapi.json): finds the
 * operation for a concrete path and method, the response for the status (or `default`), the
 * schema for the content type, and validates the body with Ajv (OpenAPI 3.0 schemas are JSON
 * Schema with a few extra keywords, which Ajv ignores outside strict mode; `nullable` it knows).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface MediaType {
  schema?: { $ref?: string } & Record<string, unknown>;
}

interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export interface ResponseToValidate {
  method: string;
  /** The concrete path requested, e.g. `/2/users/42`. */
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

export interface ResponseVerdict {
  valid: boolean;
  /** `operationId status content-type`, or why no schema applies. */
  against: string;
  errors: string[];
}

const SPEC_ID = 'x-openapi';

export function loadXOpenApi(): OpenApiDocument {
  return JSON.parse(
    readFileSync(path.resolve(__dirname, '../../x/openapi/openapi.json'), 'utf8'),
  ) as OpenApiDocument;
}

function templatePattern(template: string): RegExp {
  const escaped = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}

export function createResponseValidator(spec: OpenApiDocument = loadXOpenApi()) {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: spec.components });
  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: templatePattern(template),
    params: (template.match(/\{/g) ?? []).length,
  }));
  const compiled = new Map<string, ValidateFunction>();

  /** The spec's path template for a concrete path: literal segments beat parameters. */
  function templateFor(concrete: string): string | undefined {
    return templates
      .filter((entry) => entry.pattern.test(concrete))
      .sort((a, b) => a.params - b.params)[0]?.template;
  }

  function validatorFor(key: string, schema: MediaType['schema']): ValidateFunction {
    let validate = compiled.get(key);
    if (!validate) {
      // Refs in the document are local to it; the response schema is compiled beside it.
      const rooted = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/', `"${SPEC_ID}#/`),
      ) as object;
      validate = ajv.compile(rooted);
      compiled.set(key, validate);
    }
    return validate;
  }

  return {
    templateFor,
    /** Validates a value against one of the document's component schemas (e.g. `Problem`). */
    validateComponent(name: string, value: unknown): ResponseVerdict {
      const validate = validatorFor(`component ${name}`, { $ref: `#/components/schemas/${name}` });
      const valid = validate(value);
      return {
        valid,
        against: name,
        errors: (validate.errors ?? []).map(
          (error) => `${error.instancePath || '/'} ${error.message ?? ''} (${error.schemaPath})`,
        ),
      };
    },
    validate(response: ResponseToValidate): ResponseVerdict {
      const template = templateFor(response.path);
      if (!template)
        return { valid: false, against: `no path in the spec for ${response.path}`, errors: [] };
      const operation = spec.paths[template]?.[response.method.toLowerCase()];
      if (!operation)
        return {
          valid: false,
          against: `no ${response.method} ${template} in the spec`,
          errors: [],
        };
      const responses = operation.responses ?? {};
      const statusKey = String(response.status) in responses ? String(response.status) : 'default';
      const mediaType = response.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      const schema = responses[statusKey]?.content?.[mediaType]?.schema;
      const against = `${operation.operationId ?? template} ${statusKey} ${mediaType}`;
      if (!schema) return { valid: false, against: `no schema for ${against}`, errors: [] };
      const validate = validatorFor(
        `${template} ${response.method} ${statusKey} ${mediaType}`,
        schema,
      );
      const valid = validate(response.body);
      return {
        valid,
        against,
        errors: (validate.errors ?? []).map(
          (error) => `${error.instancePath || '/'} ${error.message ?? ''} (${error.schemaPath})`,
        ),
      };
    },
  };
}

export interface ProblemSchema {
  required?: string[];
  properties?: Record<string, { enum?: string[] }>;
}

/** The members of the document's Problem union, each with the one `type` URI it names. */
export function specProblemSchemas(
  spec: OpenApiDocument = loadXOpenApi(),
): { name: string; type: string; schema: ProblemSchema }[] {
  const problem = spec.components.schemas.Problem as { oneOf?: { $ref: string }[] } | undefined;
  return (problem?.oneOf ?? []).map((member) => {
    const name = member.$ref.replace('#/components/schemas/', '');
    const schema = (spec.components.schemas[name] ?? {}) as ProblemSchema;
    const types = schema.properties?.type?.enum ?? [];
    if (types.length !== 1) throw new Error(`${name} names ${types.length} problem types`);
    return { name, type: types[0] as string, schema };
  });
}

/** The `type` URIs of the document's Problem union. */
export function specProblemTypeUris(spec: OpenApiDocument = loadXOpenApi()): string[] {
  return specProblemSchemas(spec).map((entry) => entry.type);
}
