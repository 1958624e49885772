/**
 * Rate budget's pure parts: how much of one X rate window Kuji's reads used, per list endpoint,
 * and the 429s it could have avoided. Reads are recorded by the caller (bench/x-read-recorder.ts
 * for what each page held, the emulator's request log for statuses).
 */
import type { Figure } from './report';

export interface ListBudget {
  /** Short name used in figure names: reposters, likers, followers. */
  list: string;
  listJa: string;
  /** Matches the request path of the list's endpoint. */
  path: RegExp;
  /** Requests X allows per window per user (emulator/endpoints.ts, X-API.md). */
  requestsPerWindow: number;
  /** The most items one page may hold (`max_results`' maximum in X's OpenAPI). */
  pageSize: number;
}

export interface ListRead {
  path: string;
  status: number;
  atMs: number;
  ids: string[];
}

export interface WindowUse {
  list: string;
  /** The window: from the first request to the endpoint, `windowMs` long. */
  startMs: number;
  requests: number;
  refused: number;
  /** Distinct items read in the window. */
  entries: number;
  /** Items read in the window, counting an item read again each time. */
  itemsRead: number;
  /** requestsPerWindow × pageSize, or the whole list when it is smaller. */
  allowed: number;
  /** How many the list holds on X. */
  available: number;
  /** entries / allowed. */
  use: number;
}

/**
 * What one list endpoint's first rate window held of Kuji's reads, against what the window lets
 * one read of a list of `available` items.
 */
export function firstWindowUse(
  reads: readonly ListRead[],
  budget: ListBudget,
  windowMs: number,
  available: number,
): WindowUse {
  const mine = reads.filter((r) => budget.path.test(r.path));
  const startMs = mine.length > 0 ? Math.min(...mine.map((r) => r.atMs)) : Number.NaN;
  const inWindow = mine.filter((r) => r.atMs < startMs + windowMs);
  const distinct = new Set<string>();
  let itemsRead = 0;
  for (const read of inWindow) {
    if (read.status !== 200) continue;
    itemsRead += read.ids.length;
    for (const id of read.ids) distinct.add(id);
  }
  const allowed = Math.min(budget.requestsPerWindow * budget.pageSize, available);
  return {
    list: budget.list,
    startMs,
    requests: inWindow.length,
    refused: inWindow.filter((r) => r.status === 429).length,
    entries: distinct.size,
    itemsRead,
    allowed,
    available,
    use: allowed > 0 ? distinct.size / allowed : Number.NaN,
  };
}

export interface LoggedRequest {
  endpoint?: string;
  status: number;
  atMs: number;
}

/**
 * 429s that the answers before them had announced: on an endpoint with no other caller, every
 * answer carries `x-rate-limit-remaining` and `-reset`, so a 429 after any earlier answer of the
 * same endpoint inside its window was foreseeable. A 429 as the window's first answer is not.
 */
export function avoidable429s(log: readonly LoggedRequest[], windowMs: number): number {
  const windowStart = new Map<string, number>();
  let avoidable = 0;
  for (const request of [...log].sort((a, b) => a.atMs - b.atMs)) {
    const key = request.endpoint ?? '?';
    const start = windowStart.get(key);
    const fresh = start === undefined || request.atMs >= start + windowMs;
    if (fresh) windowStart.set(key, request.atMs);
    if (request.status === 429 && !fresh) avoidable += 1;
  }
  return avoidable;
}

export const RATE_BUDGET_TARGET = 0.95;

export function rateBudgetFigures(
  uses: readonly (WindowUse & { listJa: string })[],
  avoidable: number,
  context: { refused: number; setting: string },
): Figure[] {
  const perList: Figure[] = uses.map((u) => ({
    name: `X read budget used, ${u.list}`,
    nameJa: `X 読み取り枠の消化率（${u.listJa}）`,
    value: u.use,
    unit: '× allowed',
    target: { atLeast: RATE_BUDGET_TARGET },
    detail: `${u.entries} distinct ${u.list} read in one 15-min window / ${u.allowed} a window allows (min of requests allowed × page size and the ${u.available} on X); ${u.requests} requests, ${u.itemsRead} items read counting repeats, ${u.refused} refused; ${context.setting}`,
  }));
  return [
    ...perList,
    {
      name: 'X 429s Kuji could have avoided',
      nameJa: '避けられた X の 429 応答',
      value: avoidable,
      unit: '429s',
      target: { atMost: 0 },
      detail: `429s the emulator answered after an earlier answer of the same endpoint in the same window had shown what was left (${context.refused} 429s in all); ${context.setting}`,
    },
  ];
}
