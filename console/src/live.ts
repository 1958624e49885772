/**
 * Live data: a page's loader runs again every few seconds while the tab is visible, so what the
 * console shows follows the campaign without a reload. A failed poll keeps the last data and
 * shows the error; `reload()` runs it now (after an action).
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
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async () => {
    const mine = generation.current;
    try {
      const next = await loadRef.current();
      if (mine !== generation.current) return;
      setData(next);
      setError(undefined);
    } catch (failure) {
      if (mine !== generation.current) return;
      setError(failure instanceof ApiFailure ? failure.error : apiError(failure));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    generation.current += 1;
    setData(undefined);
    setLoading(true);
    void run();
    if (intervalMs === null) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, deps);

  return { data, error, loading, reload: run };
}
