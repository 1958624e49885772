/**
 * Live data: a page's loader runs again every few seconds while the tab is visible, so what the
 * console shows follows the campaign without a reload. A failed poll keeps the last data and
 * shows the error; `reload()` runs it now (after an action).
 *
 * - A tick is skipped while the previous load is still waiting (a slow API never piles up).
 * - Each load is numbered and only an answer newer than the last one shown is applied, so a poll
 *   that started before an action cannot put back the state from before it.
 * - `until(data)`: once true (a finished campaign, a written report), polling stops; nothing
 *   there changes any more.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, apiError, type ApiError } from './api/client';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

export const defaultPollMs = 3000;

export function usePolled<T>(
  load: () => Promise<T>,
  deps: unknown[],
  intervalMs: number | null = defaultPollMs,
  until?: (data: T) => boolean,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  /** Changes with the page's inputs: answers for other inputs are dropped. */
  const generation = useRef(0);
  /** Numbers every load; the newest applied one wins. */
  const started = useRef(0);
  const applied = useRef(0);
  const inFlight = useRef(0);
  const latest = useRef<T | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const untilRef = useRef(until);
  untilRef.current = until;

  const run = useCallback(async () => {
    const mine = generation.current;
    started.current += 1;
    const number = started.current;
    inFlight.current += 1;
    try {
      const next = await loadRef.current();
      if (mine !== generation.current || number < applied.current) return;
      applied.current = number;
      latest.current = next;
      setData(next);
      setError(undefined);
    } catch (failure) {
      if (mine !== generation.current || number < applied.current) return;
      setError(failure instanceof ApiFailure ? failure.error : apiError(failure));
    } finally {
      inFlight.current -= 1;
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current += 1;
    applied.current = started.current;
    latest.current = undefined;
    setData(undefined);
    setLoading(true);
    void run();
    if (intervalMs === null) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible' || inFlight.current > 0) return;
      const shown = latest.current;
      if (shown !== undefined && untilRef.current?.(shown)) return;
      void run();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, deps);

  return { data, error, loading, reload: run };
}
