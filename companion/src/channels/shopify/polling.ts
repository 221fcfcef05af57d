/**
 * Periodic reconciliation for channels whose order webhooks can be lost (WooCommerce never
 * retries; Shopify gives up after 8 tries and may be a day late): runs `pollOnce` every
 * `intervalMs`, one run at a time, and keeps going after a failure (logged). The cursor lives
 * in Redis when given, so a restart resumes where it stopped; windows overlap and event ids make
 * the overlap harmless.
 */
import type { Redis } from 'ioredis';

export interface Cursor {
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
}

export function cursorStore(redis: Redis | undefined, key: string): Cursor {
  let memory: string | null = null;
  return {
    get: async () => (redis ? redis.get(key) : memory),
    set: async (value) => {
      if (redis) await redis.set(key, value);
      else memory = value;
    },
  };
}

export function startPolling(
  pollOnce: () => Promise<unknown>,
  intervalMs: number,
  logger?: { warn: (obj: object, msg?: string) => void },
  /** The wait before the next pass, asked after each one (default intervalMs). */
  nextDelayMs: () => number = () => intervalMs,
): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    running = pollOnce()
      .catch((err: unknown) => logger?.warn({ err }, 'order poll failed; retrying next interval'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, nextDelayMs());
      });
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
