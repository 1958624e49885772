/**
 * Reads a Compose file the way `docker compose config` does, without Docker or docker-compose:
 * YAML (anchors and `<<` merge keys), variable interpolation (`${VAR}`, `$VAR`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$`), validation
 * against the Compose Specification's JSON schema (vendored in compose-spec/, see its SOURCE.md),
 * then the normalisation tests rely on: relative build contexts and bind-mount sources become
 * absolute paths. Rules from compose-spec/12-interpolation.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import composeSpec from './compose-spec/compose-spec.json';

export class ComposeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeConfigError';
  }
}

export interface ComposeProject {
  /** The interpolated, validated and normalised file (services, volumes, …). */
  config: Record<string, unknown> & { services: Record<string, Record<string, unknown>> };
  /** Variables used without a value or default: Compose substitutes '' and warns. */
  warnings: string[];
}

type Env = Record<string, string | undefined>;

const variableName = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '$' && text[i + 1] === '$') i += 1;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth += 1;
      i += 1;
    } else if (text[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function substitute(body: string, env: Env, where: string, warnings: string[]): string {
  const name = variableName.exec(body)?.[0];
  if (!name) throw new ComposeConfigError(`${where}: invalid interpolation format "\${${body}}"`);
  const rest = body.slice(name.length);
  const value = env[name];
  const unset = value === undefined;
  const unsetOrEmpty = unset || value === '';
  const operator = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)?.[0] ?? '';
  if (operator === '' && rest !== '') {
    throw new ComposeConfigError(`${where}: invalid interpolation format "\${${body}}"`);
  }
  const word = () => interpolateString(rest.slice(operator.length), env, where, warnings);
  switch (operator) {
    case ':-':
      return unsetOrEmpty ? word() : (value ?? '');
    case '-':
      return unset ? word() : value;
    case ':?':
    case '?':
      if (operator === ':?' ? unsetOrEmpty : unset) {
        throw new ComposeConfigError(
          `${where}: required variable ${name} is missing a value: ${word()}`,
        );
      }
      return value ?? '';
    case ':+':
      return unsetOrEmpty ? '' : word();
    case '+':
      return unset ? '' : word();
    default:
      if (unset) warnings.push(`${where}: the ${name} variable is not set, using ''`);
      return value ?? '';
  }
}

/** Interpolates one YAML string value; `where` names it in errors. */
export function interpolateString(text: string, env: Env, where: string, warnings: string[] = []) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end === -1) throw new ComposeConfigError(`${where}: unclosed "\${" in "${text}"`);
      out += substitute(text.slice(dollar + 2, end), env, where, warnings);
      i = end + 1;
    } else {
      const name = variableName.exec(text.slice(dollar + 1))?.[0];
      out += name ? substitute(name, env, where, warnings) : '$';
      i = dollar + 1 + (name?.length ?? 0);
    }
  }
  return out;
}

function interpolateValue(value: unknown, env: Env, where: string, warnings: string[]): unknown {
  if (typeof value === 'string') return interpolateString(value, env, where, warnings);
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateValue(item, env, `${where}[${index}]`, warnings));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateValue(item, env, where ? `${where}.${key}` : key, warnings),
      ]),
    );
  }
  return value;
}

const { $schema: _metaSchema, ...schema } = composeSpec;
let validator: ReturnType<Ajv['compile']> | undefined;

function validate(config: unknown): void {
  // strict: false because the spec uses keywords (deprecated, …) Ajv does not know.
  validator ??= new Ajv({ strict: false, allErrors: true }).compile(schema);
  if (validator(config)) return;
  const problems = (validator.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
  );
  throw new ComposeConfigError(`invalid compose file:\n${[...new Set(problems)].join('\n')}`);
}

function isRelativePath(source: string): boolean {
  return source === '.' || source.startsWith('./') || source.startsWith('../');
}

function normaliseService(service: Record<string, unknown>, baseDir: string): void {
  const { build, volumes } = service;
  if (typeof build === 'string') service.build = { context: path.resolve(baseDir, build) };
  else if (build && typeof build === 'object' && 'context' in build) {
    const context = (build as { context?: unknown }).context;
    if (typeof context === 'string')
      (build as { context: string }).context = path.resolve(baseDir, context);
  }
  if (Array.isArray(volumes)) {
    service.volumes = volumes.map((volume: unknown) => {
      if (typeof volume !== 'string') return volume;
      const [source = '', ...rest] = volume.split(':');
      return isRelativePath(source) ? [path.resolve(baseDir, source), ...rest].join(':') : volume;
    });
  }
}

/** What `docker compose config` checks beyond the schema: references to other entries exist. */
function checkReferences(config: ComposeProject['config']): void {
  const services = new Set(Object.keys(config.services));
  const volumes = new Set(Object.keys((config.volumes as Record<string, unknown>) ?? {}));
  for (const [name, service] of Object.entries(config.services)) {
    const dependsOn = service.depends_on ?? [];
    const needs = Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
    for (const dependency of needs as string[]) {
      if (!services.has(dependency)) {
        throw new ComposeConfigError(`service ${name} depends on undefined service ${dependency}`);
      }
    }
    for (const volume of (service.volumes as unknown[] | undefined) ?? []) {
      const source = typeof volume === 'string' ? (volume.split(':')[0] ?? '') : '';
      const named = source !== '' && volume !== source && !path.isAbsolute(source);
      if (named && !volumes.has(source)) {
        throw new ComposeConfigError(`service ${name} refers to undefined volume ${source}`);
      }
    }
  }
}

/** Parses, interpolates with `env` only (no .env file is read), validates and normalises. */
export function loadComposeFile(file: string, env: Env): ComposeProject {
  const parsed: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ComposeConfigError(`${file}: not a Compose file (expected a mapping at the top)`);
  }
  const warnings: string[] = [];
  const config = interpolateValue(parsed, env, '', warnings) as ComposeProject['config'];
  validate(config);
  if (!config.services || typeof config.services !== 'object') {
    throw new ComposeConfigError(`${file}: no services`);
  }
  const baseDir = path.dirname(path.resolve(file));
  for (const service of Object.values(config.services)) normaliseService(service, baseDir);
  checkReferences(config);
  return { config, warnings };
}
