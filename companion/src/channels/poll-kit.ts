/**
 * Small pieces every polling channel client shares (Amazon getOrders, Flipkart shipments, Shopify
 * reconciliation): a polling cursor that survives restarts, abort-aware waiting on a shared
 * promise, and patience with the channel's throttle inside one pass.
 */
import type { Redis } from 'ioredis';
import { ChannelError } from './port';

/** Where a poller's cursor is kept; without it the cursor lives only in memory. */
export interface CursorStore {
  redis: Redis;
  key: string;
}

/** The time (ms) up to which a poller has seen everything. */
export class PollCursor {
  private at: number | null = null;

  constructor(private readonly store?: CursorStore) {}

  async load(): Promise<number | null> {
    if (this.at !== null) return this.at;
    if (!this.store) return null;
    const v = await this.store.redis.get(this.store.key);
    return v ? Number(v) : null;
  }

  async save(at: number): Promise<void> {
    this.at = at;
    if (this.store) await this.store.redis.set(this.store.key, String(at));
  }
}

/** Stops waiting for a shared promise (the token exchange other calls may still need) on abort. */
export function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** Sleeps `ms`, or less when `signal` aborts; the abort listener is removed when the timer fires. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((r) => {
    const onAbort = () => (clearTimeout(t), r());
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), r()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `once` until `signal` aborts, waiting `intervalMs` between runs; a failure is reported to
 * `onError` and retried after the wait `retryMs(err)` asks for. Every channel's order poll and
 * queue consumer is this loop.
 */
export async function loopUntilAborted(o: {
  signal: AbortSignal;
  once: () => Promise<unknown>;
  intervalMs: number;
  retryMs: (err: unknown) => number;
  onError: (err: unknown) => void;
}): Promise<void> {
  while (!o.signal.aborted) {
    try {
      await o.once();
      if (o.intervalMs > 0) await sleepUnlessAborted(o.intervalMs, o.signal);
    } catch (err) {
      if (o.signal.aborted) break;
      o.onError(err);
      await sleepUnlessAborted(o.retryMs(err), o.signal);
    }
  }
}

/** The wait a ChannelError asks for (Retry-After), else `fallbackMs`. */
export const retryAfterOr = (fallbackMs: number) => (err: unknown) =>
  err instanceof ChannelError && err.retryAfterMs ? err.retryAfterMs : fallbackMs;

/**
 * One call of a background order poll: when the channel throttles it (its rate limit is shared with
 * the pushes, which keep it busy under load), wait what it asks (Retry-After, at most a minute)
 * and call again, instead of abandoning the pass. An abandoned pass saves no cursor, so the next
 * one starts from the same place with more to read and is cut short again: a chaos run left 168
 * Flipkart and 399 Amazon orders unrecorded for ten minutes after the load had stopped.
 */
export async function patiently<T>(call: () => Promise<T>, signal?: AbortSignal, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ChannelError) || err.kind !== 'rate_limited' || attempt >= attempts || signal?.aborted) throw err;
      // A little jitter: several processes polling the same channel do not retry in step.
      const wait = Math.min(err.retryAfterMs ?? 1000, 60_000) * (1 + Math.random() * 0.2);
      if (signal) await sleepUnlessAborted(wait, signal);
      else await new Promise((r) => setTimeout(r, wait));
      if (signal?.aborted) throw err;
    }
  }
}
