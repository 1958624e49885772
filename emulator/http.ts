/** Small HTTP plumbing shared by the emulator's API and admin routes (node:http, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EmuRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: Buffer;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  /** Parsed form body, or undefined. */
  form: URLSearchParams | undefined;
  raw: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
}

export interface EmuReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export class HttpError extends Error {
  constructor(readonly reply: EmuReply) {
    super(`HTTP ${reply.status}`);
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError({
        status: 413,
        body: {
          title: 'Payload Too Large',
          detail: 'Body too large',
          type: 'about:blank',
          status: 413,
        },
      });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function parseBodies(
  headers: IncomingMessage['headers'],
  rawBody: Buffer,
): { json: unknown; form?: URLSearchParams } {
  if (rawBody.length === 0) return { json: undefined };
  const contentType = String(headers['content-type'] ?? '');
  const text = rawBody.toString('utf8');
  if (contentType.includes('application/x-www-form-urlencoded'))
    return { json: undefined, form: new URLSearchParams(text) };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    throw new HttpError({
      status: 400,
      body: {
        errors: [{ message: 'Request body is not valid JSON.' }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.x.com/2/problems/invalid-request',
        status: 400,
      },
    });
  }
}

export function sendReply(res: ServerResponse, reply: EmuReply): void {
  if (res.headersSent || res.destroyed) return;
  const isText = typeof reply.body === 'string';
  const contentType =
    reply.contentType ??
    (isText
      ? 'text/plain; charset=utf-8'
      : reply.status >= 400 && isProblem(reply.body)
        ? 'application/problem+json'
        : 'application/json; charset=utf-8');
  const payload =
    reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': contentType,
    'cache-control': 'no-cache, no-store, max-age=0',
    ...withoutFramingHeaders(reply.headers),
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** The emulator frames every answer itself: a reply (a scripted fault) never sets these. */
const framingHeaders = new Set(['content-length', 'transfer-encoding']);

export function withoutFramingHeaders(
  headers: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter(([name]) => !framingHeaders.has(name.toLowerCase())),
  );
}

function isProblem(body: unknown): boolean {
  return (
    Boolean(body) &&
    typeof body === 'object' &&
    typeof (body as { type?: unknown }).type === 'string'
  );
}

export function json(status: number, body: unknown, headers?: Record<string, string>): EmuReply {
  return { status, body, headers };
}
