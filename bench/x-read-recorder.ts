/**
 * A recording proxy in front of the X emulator, for the rate-budget benchmark: Kuji's X client
 * talks to it as to X, every request is passed on unchanged (the Host header too, so OAuth 1.0a
 * signatures still verify), and each answer of a list read is recorded with the ids it returned,
 * dated by the emulator's clock. The emulator's own request log has statuses but not what a
 * page held.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { XEmulator } from '../emulator';

export interface RecordedRead {
  /** The request path without its query, e.g. /2/tweets/123/retweeted_by. */
  path: string;
  status: number;
  /** The emulator's clock when the answer came back. */
  atMs: number;
  /** Ids of the items the page held (empty for a refusal). */
  ids: string[];
}

export interface XReadRecorder {
  url: string;
  reads: RecordedRead[];
  close(): Promise<void>;
}

function idsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { data?: unknown };
    if (!Array.isArray(parsed.data)) return [];
    return parsed.data.flatMap((item: unknown) =>
      item && typeof item === 'object' && 'id' in item && typeof item.id === 'string'
        ? [item.id]
        : [],
    );
  } catch {
    return [];
  }
}

export async function startXReadRecorder(emulator: XEmulator): Promise<XReadRecorder> {
  const target = new URL(emulator.url);
  const reads: RecordedRead[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const bytes = Buffer.concat(body);
            if (req.method === 'GET') {
              reads.push({
                path: new URL(req.url ?? '/', 'http://x').pathname,
                status: answer.statusCode ?? 0,
                atMs: emulator.clock.now(),
                ids: idsOf(bytes.toString('utf8')),
              });
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(bytes);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ title: 'proxy error', detail: error.message }));
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reads,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
