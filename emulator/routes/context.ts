/**
 * What every X API route of the emulator is made of: the route record, the request context, the
 * caller, and the parameter checks X applies to ids, `max_results` and pagination tokens.
 */
import { presetOutcome, type FaultPresetName } from '../faults';
import type { EndpointKey } from '../endpoints';
import { HttpError, json, type EmuReply, type EmuRequest } from '../http';
import {
  decodePaginationToken,
  encodePaginationToken,
  invalidRequestBody,
  problemBody,
} from '../render';
import type { EmuUser, EmulatorState } from '../state';
import type { WebhookDispatcher } from '../webhooks';

export interface Caller {
  kind: 'oauth1' | 'oauth2' | 'app';
  userId?: string;
  scopes?: string[];
  accessToken: string;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT';
  pattern: RegExp;
  endpoint: EndpointKey;
  /** 'user': user context only; 'any': app-only bearer accepted; 'client': OAuth 2.0 client auth. */
  auth: 'user' | 'any' | 'client';
  /** OAuth 2.0 scopes the user token must hold. */
  scopes?: string[];
  /** The resource id a fault body should name. */
  resourceParam?: string;
  handle(context: ApiContext): EmuReply | Promise<EmuReply>;
}

export interface ApiContext {
  state: EmulatorState;
  webhooks: WebhookDispatcher;
  request: EmuRequest;
  caller: Caller | undefined;
  now: number;
}

const ID_PATTERN = /^[0-9]{1,19}$/;

export function callerUser(context: ApiContext): EmuUser {
  const user = context.caller?.userId ? context.state.users.get(context.caller.userId) : undefined;
  if (!user)
    throw new HttpError(json(401, problemBody(401, 'about:blank', 'Unauthorized', 'Unauthorized')));
  return user;
}

export function fromPreset(
  name: FaultPresetName,
  context: ApiContext,
  endpoint: EndpointKey,
  resourceId?: string,
): EmuReply {
  const outcome = presetOutcome(name, {
    endpoint,
    nowMs: context.now,
    rateHeaders: {},
    resourceId,
  });
  if (outcome.kind !== 'response') throw new Error(`Preset ${name} has no plain response.`);
  return {
    status: outcome.status,
    body: outcome.body,
    headers: outcome.headers,
    contentType: outcome.contentType,
  };
}

export function requireId(value: string, parameter: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          parameter,
          value,
          `The \`${parameter}\` query parameter value [${value}] does not match ^[0-9]{1,19}$`,
        ),
      ),
    );
  }
  return value;
}

export function maxResults(
  query: URLSearchParams,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = query.get('max_results');
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(
      json(
        400,
        invalidRequestBody(
          'max_results',
          raw,
          `The \`max_results\` query parameter value [${raw}] is not between ${min} and ${max}`,
        ),
      ),
    );
  }
  return value;
}

export function cursorOf(query: URLSearchParams, parameters: string[]): number | undefined {
  for (const parameter of parameters) {
    const token = query.get(parameter);
    if (token === null) continue;
    const seq = decodePaginationToken(token);
    if (seq === undefined) {
      throw new HttpError(
        json(
          400,
          invalidRequestBody(
            parameter,
            token,
            `The \`${parameter}\` query parameter value [${token}] is not valid`,
          ),
        ),
      );
    }
    return seq;
  }
  return undefined;
}

/** Newest-first page after the cursor; `next_token` points past the last item returned. */
export function pageOf<T extends { seq: number }>(
  items: T[],
  cursor: number | undefined,
  size: number,
): { page: T[]; nextToken?: string } {
  const sorted = [...items]
    .sort((a, b) => b.seq - a.seq)
    .filter((item) => cursor === undefined || item.seq < cursor);
  const page = sorted.slice(0, size);
  const last = page[page.length - 1];
  return {
    page,
    nextToken: sorted.length > size && last ? encodePaginationToken(last.seq) : undefined,
  };
}
