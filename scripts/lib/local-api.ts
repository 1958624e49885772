/**
 * How the helper commands (`npm run example`, `npm run demo`) reach a running `npm start`: the
 * API at KUJI_API_URL (default http://127.0.0.1:$PORT), the admin key from KUJI_API_KEY or
 * `.data/admin-key`, the X emulator at X_EMULATOR_URL (default http://127.0.0.1:4000).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { dataDir } from './paths';

export interface LocalStack {
  apiUrl: string;
  adminKey: string;
  emulatorUrl: string;
  webUiUrl: string;
}

export function localStack(env: NodeJS.ProcessEnv = process.env): LocalStack {
  const keyFile = path.join(dataDir, 'admin-key');
  const adminKey =
    env.KUJI_API_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
  if (!adminKey) {
    throw new Error(
      `no API key: start the stack first (npm start writes ${keyFile}) or set KUJI_API_KEY`,
    );
  }
  return {
    apiUrl: env.KUJI_API_URL ?? `http://127.0.0.1:${env.PORT ?? '3000'}`,
    adminKey,
    emulatorUrl: env.X_EMULATOR_URL ?? `http://127.0.0.1:${env.X_EMULATOR_PORT ?? '4000'}`,
    webUiUrl: env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT ?? '8233'}`,
  };
}

/** The admin key as a shell expression for the commands the helpers print. */
export function adminKeyHint(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUJI_API_KEY) return '$KUJI_API_KEY';
  const file = path.join(dataDir, 'admin-key');
  const relative = path.relative(process.cwd(), file);
  return `$(cat ${relative.startsWith('..') ? file : relative})`;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One JSON request; a connection failure names the URL and says to run `npm start`. */
export async function request(
  method: string,
  url: string,
  key: string | undefined,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach ${url} (${String(error)}): is \`npm start\` running?`);
  }
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the campaign's live phase every `everyMs` (default 1 s) until `done(phase)` or the
 * deadline; returns the last phase. An aborted `signal` ends the wait (the sleep rejects).
 */
export async function waitForPhase(
  stack: LocalStack,
  id: string,
  done: (phase: string) => boolean,
  timeoutMs: number,
  options: { signal?: AbortSignal; everyMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let phase = '';
  for (;;) {
    const answer = await request('GET', `${stack.apiUrl}/v1/campaigns/${id}`, stack.adminKey);
    phase = String((answer.body.campaign as { phase?: string } | undefined)?.phase ?? '');
    if (done(phase) || Date.now() > deadline) return phase;
    await wait(options.everyMs ?? 1000, undefined, { signal: options.signal });
  }
}

/** Runs a helper command's `main`: its answer is the exit code; an error is one line, exit 1. */
export function runCommand(main: () => Promise<number>): void {
  main()
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
