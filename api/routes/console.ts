/**
 * The operator console's files (console/, built into console/dist by console/build.ts): its
 * page for `/console` and every path under it (the console routes in the browser), and its
 * script and stylesheet. Same origin as the API, so the console's session cookie and CSRF
 * header work without CORS. A strict CSP: only this origin's script and styles run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where console/build.ts writes the console (git-ignored; `npm start` and the tests build it). */
export const consoleDistDir = path.resolve(__dirname, '..', '..', 'console', 'dist');

export const consoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const assetTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Kuji</title>
<p>管理画面がビルドされていません。<code>npm run console:build</code> を実行してください。</p>
<p>The console is not built: run <code>npm run console:build</code>.</p>`;

function secured(reply: FastifyReply) {
  return reply
    .header('content-security-policy', consoleCsp)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('x-robots-tag', 'noindex');
}

export default function consoleRoutes(app: FastifyInstance, options: { distDir?: string } = {}) {
  const distDir = options.distDir ?? consoleDistDir;

  async function sendIndex(reply: FastifyReply) {
    const html = await readFile(path.join(distDir, 'index.html')).catch(() => undefined);
    return secured(reply)
      .status(html ? 200 : 503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(html ?? notBuilt);
  }

  app.get('/console', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const { file } = request.params;
      const type = assetTypes[path.extname(file)];
      const body =
        type && /^[\w.-]+$/.test(file) && !file.startsWith('.')
          ? await readFile(path.join(distDir, 'assets', file)).catch(() => undefined)
          : undefined;
      if (!body) {
        return secured(reply).status(404).type('text/plain; charset=utf-8').send('Not found');
      }
      return secured(reply).type(type!).header('cache-control', 'no-cache').send(body);
    },
  );
  app.get('/console/*', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
}
