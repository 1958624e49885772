/**
 * Least privilege for what the API shows: prize codes and participant data (usernames, the
 * words of their messages) are for the roles that act on them, admin and operator.
 * Approvers and viewers get the same answers with those values masked: lengths and counts stay
 * visible (an approver still sees that a prize has 500 codes), the values do not.
 *
 * X user ids, delivery ids and event ids stay: they are opaque, they page and address the
 * records, and they are what a person checks against the audit log. The brand's own texts
 * (templates, a follow-up DM) stay too: an approver approves exactly those.
 *
 * Every route that answers such data masks it here, so the rule lives in one place.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiRole } from '../db/database';

/** What the API document says on every route that masks. */
export const maskingNote =
  'Prize codes and participant data (usernames, the words of a complaint) are shown as stored to ' +
  'admin and operator keys only; approvers and viewers get them masked (`GIFT-****`, `f***`, ' +
  '`**** (5)`). X user ids are shown to every role.';

/** The roles that see prize codes and participant data as stored. */
export const participantDataRoles: readonly ApiRole[] = ['admin', 'operator'];

export function seesParticipantData(role: ApiRole | null | undefined): boolean {
  return role !== null && role !== undefined && participantDataRoles.includes(role);
}

const hidden = '****';

/**
 * `GIFT-7F3K-22QX` → `GIFT-****`: the prefix before the first separator stays when at least four
 * characters remain hidden (it names the kind of code, shared by all of them); else all is hidden.
 */
export function maskCode(code: string): string {
  const separator = code.search(/[-_ ]/);
  if (separator > 0 && code.length - separator - 1 >= 4)
    return `${code.slice(0, separator + 1)}${hidden}`;
  return hidden;
}

/** `fujiko` → `f***`: enough to tell two people apart in a short list, not to find them. */
export function maskUsername(username: string): string {
  const first = String.fromCodePoint(username.codePointAt(0) ?? 0x2a);
  return username.length === 0 ? '' : `${first}***`;
}

/** Words a participant wrote (e.g. the phrase of an "I didn't get it"): only the length shows. */
export function maskText(text: string): string {
  return `${hidden} (${text.length})`;
}

/** Keys of intervention and audit details that carry participant data, with their mask. */
const detailMasks: Record<string, (value: string) => string> = {
  username: maskUsername,
  phrase: maskText,
  prizeCode: maskCode,
};

const maskCodes = (codes: readonly unknown[]): unknown[] =>
  codes.map((code) => (typeof code === 'string' ? maskCode(code) : code));

/** A copy of JSON details with every participant value masked, at any depth. */
export function maskDetails(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    const mask = key === undefined ? undefined : detailMasks[key];
    return mask ? mask(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => maskDetails(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        k === 'codes' && Array.isArray(v) ? maskCodes(v as unknown[]) : maskDetails(v, k),
      ]),
    );
  }
  return value;
}

/** A campaign configuration as a lesser role sees it: every prize code masked. */
export function maskConfig(config: unknown): unknown {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return config;
  const prizes = (config as { prizes?: unknown }).prizes;
  if (!Array.isArray(prizes)) return config;
  return {
    ...config,
    prizes: prizes.map((prize: unknown) => {
      if (!prize || typeof prize !== 'object') return prize;
      const codes = (prize as { codes?: unknown }).codes;
      if (!Array.isArray(codes)) return prize;
      return {
        ...prize,
        codes: maskCodes(codes as unknown[]),
      };
    }),
  };
}

/** The masks to apply for the caller of `request`: identity functions for admin and operator. */
export interface Redactor {
  readonly clear: boolean;
  code(code: string | null): string | null;
  username(username: string | null): string | null;
  details<T>(details: T): T;
  config<T>(config: T): T;
}

const clearRedactor: Redactor = {
  clear: true,
  code: (code) => code,
  username: (username) => username,
  details: (details) => details,
  config: (config) => config,
};

const maskingRedactor: Redactor = {
  clear: false,
  code: (code) => (code === null ? null : maskCode(code)),
  username: (username) => (username === null ? null : maskUsername(username)),
  details: <T>(details: T) => maskDetails(details) as T,
  config: <T>(config: T) => maskConfig(config) as T,
};

export function redactorFor(request: FastifyRequest): Redactor {
  return seesParticipantData(request.principal?.role) ? clearRedactor : maskingRedactor;
}
