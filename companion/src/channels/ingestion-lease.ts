/**
 * One process at a time runs a channel's order ingestion (its polls: Amazon's getOrders, Flipkart's
 * shipments, the reconciliation polls of Shopify and WooCommerce). Every worker process started
 * them: with two workers Amazon's getOrders ran twice a minute against a limit of one, each
 * process with its own throttle, 694 of 4,703 calls were answered 429 and orders reached the
 * ledger up to 9 minutes late while Amazon was pushed numbers without them (acceptance pass 27).
 *
 * The process holding the lease (a Redis key with a random token, PX ttlMs) runs the ingestion and
 * renews the lease every checkMs; the others try to take it every checkMs. A holder that dies stops
 * renewing, and another process takes over within ttlMs + checkMs (at once, on the same host). A holder that finds its lease
 * gone (Redis restarted empty, a long stall) stops its ingestion first. Webhook routes are not
 * leased: every API process answers them, and event ids make a second delivery a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { heldByDeadProcess, releaseHeld, renewHeld } from './held-key';

export interface IngestionLeaseOptions {
  redis: Redis;
  /** The lease's key (one per tenant and channel). */
  key: string;
  /** Starts the ingestion; resolves with its stop. */
  start: () => Promise<() => Promise<void>>;
  ttlMs?: number;
  checkMs?: number;
  logger?: { warn: (obj: object, msg?: string) => void; info?: (obj: object, msg?: string) => void };
}

/** Runs `start` while this process holds the lease; returns the stop of the whole thing. */
export function runWithIngestionLease(o: IngestionLeaseOptions): () => Promise<void> {
  const ttlMs = o.ttlMs ?? 15_000;
  const checkMs = o.checkMs ?? Math.max(50, Math.floor(ttlMs / 3));
  // Host and pid first: a process restarted after a crash takes over its predecessor's lease at
  // once instead of waiting out ttlMs (heldByDeadProcess).
  const token = `${hostname()} ${process.pid} ${randomUUID()}`;
  let stopIngestion: (() => Promise<void>) | null = null;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();

  const check = async () => {
    if (stopped) return;
    if (stopIngestion) {
      if (await renewHeld(o.redis, o.key, token, ttlMs)) return;
      o.logger?.warn({ lease: o.key }, 'order ingestion lease lost; another process takes over');
      const stop = stopIngestion;
      stopIngestion = null;
      await stop();
      return;
    }
    if ((await o.redis.set(o.key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      const holder = await o.redis.get(o.key);
      if (holder === null || !heldByDeadProcess(holder)) return;
      await releaseHeld(o.redis, o.key, holder);
      if ((await o.redis.set(o.key, token, 'PX', ttlMs, 'NX')) !== 'OK') return;
    }
    try {
      stopIngestion = await o.start();
    } catch (err) {
      await releaseHeld(o.redis, o.key, token).catch(() => undefined);
      throw err;
    }
    if (stopped) {
      // Stopped while starting: undo at once.
      const stop = stopIngestion;
      stopIngestion = null;
      await stop();
    }
  };
  const tick = () => {
    busy = busy.then(check).catch((err: unknown) => o.logger?.warn({ err, lease: o.key }, 'order ingestion lease check failed; trying again'));
  };
  tick();
  const timer = setInterval(tick, checkMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await busy;
    if (stopIngestion) {
      const stop = stopIngestion;
      stopIngestion = null;
      await stop();
      await releaseHeld(o.redis, o.key, token).catch(() => undefined); // the next process need not wait for ttlMs
    }
  };
}
