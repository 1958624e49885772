/**
 * Hostile requests generated from Kuji's own OpenAPI document: for every operation, malformed
 * path ids, query values, bodies, content types and credentials, chosen by a seeded generator so
 * a failing request can be replayed from the seed.
 */
import type { InjectOptions } from 'fastify';
import { seededRandom } from '../../domain/seeded-random';

export interface OpenApiOperation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  minItems?: number;
  default?: unknown;
}

export interface HostileRequest {
  operation: string;
  method: NonNullable<InjectOptions['method']>;
  /** The path template from the document, e.g. `/v1/campaigns/{id}`. */
  template: string;
  kind: string;
  options: InjectOptions;
}

const hugeString = 'あ'.repeat(100_000);

/** Path segments as they go on the wire (already percent-encoded where needed). */
const hostileSegments = [
  '%00',
  'a%00b',
  '%00%00%00',
  'x'.repeat(5_000),
  '%E0%A4%A',
  '%ED%A0%80',
  '%',
  '%2F',
  'a%2Fb',
  '%20',
  '%F0%9F%8E%81',
  '9'.repeat(40),
  '-1',
  'null',
  '%7B%7D',
  '%3Cscript%3E',
  "'%20OR%201%3D1--",
  '%C0%AF',
];

/** Values for query parameters, raw (encoded by URLSearchParams unless marked raw). */
const hostileQueryValues: { value: string; raw?: boolean }[] = [
  { value: 'abc' },
  { value: '-1' },
  { value: '1e308' },
  { value: '1.5' },
  { value: '' },
  { value: '\u0000' },
  { value: '%00', raw: true },
  { value: '%ED%A0%80', raw: true },
  { value: '%', raw: true },
  { value: 'x'.repeat(10_000) },
  { value: '99999999999999999999999' },
  { value: 'true' },
  { value: '[]' },
];

/** A plausible value for a schema, so a mutation changes one thing of an otherwise sane body. */
export function sampleOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return sampleOf(alternatives[0], depth + 1);
  if (schema.allOf?.length) return sampleOf(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name)) value[name] = sampleOf(property, depth + 1);
      }
      return value;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        sampleOf(schema.items, depth + 1),
      );
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return 'x';
    default:
      return null;
  }
}

type JsonPath = (string | number)[];

/** Every path in a JSON value, to pick where a mutation lands. */
function pathsOf(value: unknown, path: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  }
  return out;
}

function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) cursor[last] = value;
  return copy;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let cursor = root;
  for (const key of path) cursor = (cursor as Record<string | number, unknown>)[key];
  return cursor;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const wrongTypeValues: unknown[] = [
  123,
  -1,
  1e308,
  0.5,
  true,
  null,
  [],
  {},
  ['a', 1, null],
  { nested: { deeper: [1] } },
  'string',
  '',
];

/** A body that must never be accepted: malformed JSON, wrong shapes, hostile text, wrong types. */
function hostileBody(
  base: unknown,
  random: () => number,
): { kind: string; payload: string; contentType: string } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const json = (value: unknown) => JSON.stringify(value);
  const paths = pathsOf(base).filter((p) => p.length > 0);
  const somewhere = (): JsonPath => (paths.length > 0 ? pick(paths) : ['injected']);
  const stringPaths = pathsOf(base).filter((p) => typeof valueAt(base, p) === 'string');
  const someString = (): JsonPath => (stringPaths.length > 0 ? pick(stringPaths) : somewhere());
  const variants: (() => { kind: string; payload: string; contentType: string })[] = [
    () => ({
      kind: 'bad-json',
      payload: pick(['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul']),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'json-not-object',
      payload: pick(['[]', 'null', '"x"', '42', 'true', '[{}]']),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'wrong-content-type',
      payload: json(base),
      contentType: pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/octet-stream',
      ]),
    }),
    () => {
      const path = somewhere();
      const current = valueAt(base, path);
      const others = wrongTypeValues.filter((value) => jsonType(value) !== jsonType(current));
      return {
        kind: 'wrong-type',
        payload: json(setAt(base, path, pick(others))),
        contentType: 'application/json',
      };
    },
    () => ({
      kind: 'huge-string',
      payload: json(setAt(base, someString(), hugeString)),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'nul',
      payload: json(setAt(base, someString(), 'a\u0000b')),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'lone-surrogate',
      // Written as an escape in the JSON text: JSON.stringify would write it the same way.
      payload: json(setAt(base, someString(), 'MARK')).replace('"MARK"', '"a\\ud800b"'),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'nul-key',
      payload: json({ ...(base as object), ['k\u0000']: 1 }),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'extra-property',
      payload: json({
        ...(base as object),
        __proto__x: 1,
        constructor: { prototype: { polluted: true } },
      }),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'deep-nesting',
      payload: '['.repeat(3_000) + ']'.repeat(3_000),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'too-large',
      payload: json({ blob: 'x'.repeat(1_100_000) }),
      contentType: 'application/json',
    }),
    () => ({
      kind: 'huge-number',
      // 1e400 parses to Infinity, which no field accepts.
      payload: json(setAt(base, somewhere(), 'NUMBER')).replace('"NUMBER"', '1e400'),
      contentType: 'application/json',
    }),
  ];
  return pick(variants)();
}

export interface GenerationContext {
  /** Keys by role, and made-up credentials. */
  credentials: Record<string, string | undefined>;
  /** The roles of `credentials` that are real keys. */
  validRoles: string[];
  /** Real ids the reads may use, so a request reaches the handler, not only a 404. */
  knownIds: Record<string, string>;
  /** A valid body per operation where the document's schema is not enough (campaign config). */
  exampleBodies: Record<string, unknown>;
}

function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? 'x');
}

/**
 * About `total` hostile requests spread over every operation of the document. Writes (anything
 * but GET) never get a real id: whatever their body, they cannot act on a real campaign.
 */
export function generateHostileRequests(
  doc: OpenApiDocument,
  context: GenerationContext,
  seed: number,
  total: number,
): HostileRequest[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const operations = Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ template, method, operation })),
  );
  const perOperation = Math.ceil(total / operations.length);
  const requests: HostileRequest[] = [];
  const roles = Object.keys(context.credentials);

  for (const { template, method, operation } of operations) {
    const upper = method.toUpperCase();
    const pathNames = (operation.parameters ?? [])
      .filter((p) => p.in === 'path')
      .map((p) => p.name);
    const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    const base =
      context.exampleBodies[`${upper} ${template}`] ??
      (bodySchema ? sampleOf(bodySchema) : undefined);

    for (let i = 0; i < perOperation; i++) {
      // Mostly real keys, so most requests get past authentication to the validation behind it.
      const role = random() < 0.75 ? pick(context.validRoles) : pick(roles);
      const credential = context.credentials[role];
      const headers: Record<string, string> = credential ? { authorization: credential } : {};
      const kinds: string[] = [];
      const safeIds = Object.fromEntries(
        pathNames.map((name) => [
          name,
          upper === 'GET' && context.knownIds[name] ? context.knownIds[name] : `no-such-${name}`,
        ]),
      );

      // Which parts turn hostile: at least one, often several.
      const hostilePath = pathNames.length > 0 && random() < 0.4;
      const hostileQuery = queryParams.length > 0 && random() < 0.5;
      // A write's ids are never real ones, so with a path id its body may stay sane; a write
      // without one (a create) always gets a hostile body, so no request can create anything.
      const saneBodyAllowed = upper === 'GET' || pathNames.length > 0;
      const hostileBodyPart =
        base !== undefined &&
        (!saneBodyAllowed || random() < 0.7 || (!hostilePath && !hostileQuery));
      const ids = { ...safeIds };
      if (hostilePath) {
        const name = pick(pathNames);
        ids[name] = pick(hostileSegments);
        kinds.push(`path:${name}`);
      }
      let url = fillPath(template, ids);

      if (hostileQuery || (!hostilePath && !hostileBodyPart)) {
        const parts: string[] = [];
        for (const param of queryParams.length > 0 ? queryParams : [{ name: 'unexpected' }]) {
          if (random() < 0.6) {
            const value = pick(hostileQueryValues);
            parts.push(
              `${param.name}=${value.raw ? value.value : encodeURIComponent(value.value)}`,
            );
            if (random() < 0.2) parts.push(`${param.name}=again`);
          }
        }
        if (parts.length === 0) parts.push(`${queryParams[0]?.name ?? 'unexpected'}=%00`);
        url += `?${parts.join('&')}`;
        kinds.push('query');
      }

      const options: InjectOptions = { method: upper, url, headers };
      if (hostileBodyPart) {
        const body = hostileBody(base, random);
        options.payload = body.payload;
        headers['content-type'] = body.contentType;
        kinds.push(`body:${body.kind}`);
      } else if (base !== undefined) {
        options.payload = JSON.stringify(base);
        headers['content-type'] = 'application/json';
      }
      requests.push({
        operation: `${upper} ${template}`,
        method: upper,
        template,
        kind: kinds.join('+') || 'credentials',
        options,
      });
    }
  }
  return requests;
}
