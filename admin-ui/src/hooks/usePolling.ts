/**
 * Loads data and refreshes it while the page is visible. Refreshes never come faster than
 * every 5 s (the ceiling, and what keeps the proxy cheap), stop while the tab is
 * hidden, and resume with an immediate load when it comes back. A slow answer never
 * overwrites a newer one: each load carries a sequence number.
 */
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { ApiError } from '../api/client';

export const MIN_INTERVAL_MS = 5_000;

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer (or failure) arrives. */
  loading: boolean;
  reload: () => Promise<void>;
}

export function usePolling<T>(load: () => Promise<T>, deps: unknown[], intervalMs: number | null = MIN_INTERVAL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const alive = useRef(true);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const loadRef = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const value = await loadRef();
      if (!alive.current || mine !== seq.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (!alive.current || mine !== seq.current) return;
      setError(e instanceof ApiError ? e : new ApiError(String(e), 'unknown_error'));
    } finally {
      if (alive.current && mine === seq.current) setLoading(false);
    }
  }, [loadRef]);

  useEffect(() => {
    alive.current = true;
    setLoading(true);
    void reload();
    if (intervalMs === null) return () => {
      alive.current = false;
    };
    const every = Math.max(MIN_INTERVAL_MS, intervalMs);
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(() => void reload(), every);
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        void reload();
        start();
      }
    };
    if (!document.hidden) start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      alive.current = false;
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [reload, intervalMs]);

  return { data, error, loading, reload };
}
