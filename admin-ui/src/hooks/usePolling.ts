/**
 * Loads data and refreshes it while the page is visible. The next refresh is scheduled 5 s
 * after the previous answer arrived, never on a fixed clock: a slow WordPress (one PHP worker,
 * a companion far away) then gets fewer requests instead of a growing queue of them. Refreshes
 * stop while the tab is hidden and resume with an immediate load when it comes back. A slow
 * answer never overwrites a newer one: each load carries a sequence number.
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

/** `intervalMs` null loads once (plus explicit reloads); otherwise at least MIN_INTERVAL_MS between loads. */
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const every = intervalMs === null ? null : Math.max(MIN_INTERVAL_MS, intervalMs);
    const schedule = () => {
      if (every === null || !alive.current || document.hidden || running) return;
      timer = setTimeout(tick, every);
    };
    const tick = async () => {
      timer = undefined;
      running = true;
      await reload();
      running = false;
      schedule();
    };
    const onVisibility = () => {
      if (document.hidden) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      } else if (every !== null && timer === undefined && !running) {
        // A load-once list (settings, the import's state) is not reloaded on coming back.
        void tick();
      }
    };
    void tick();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      alive.current = false;
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [reload, intervalMs]);

  return { data, error, loading, reload };
}
