/**
 * Expiry sweeper: releases holds whose TTL has passed, audited as `stock.released` (reason
 * `expired`, source `system`). Every companion process may run one. It is safe because each hold
 * leaves the expiry set in the same Lua step (expire-7.lua) that gives its units back — two
 * sweepers racing for one hold release it exactly once, and no lock can go stale.
 *
 * Timing: after each sweep it sleeps until the earliest pending expiry (read from every tenant's
 * expiry set), never longer than `intervalMs`, so a hold is released within a few ms of expiring
 * and well inside the 1 s promise even when a new hold appears mid-sleep.
 *
 * With an audit retention set, it also trims the audit once a minute (audit-retention.ts).
 */
import type { Redis } from 'ioredis';
import { trimAudit } from './audit-retention';
import type { Keys } from './keys';
import type { Ledger } from './types';

export interface SweeperOptions {
  ledger: Ledger;
  redis: Redis;
  keys: Keys;
  /** Longest sleep between sweeps (ms); default 250. */
  intervalMs?: number;
  /** Called when a sweep fails (Redis down); the sweeper keeps going. */
  onError?: (err: unknown) => void;
  /** Audit entries older than this are trimmed, once a minute (audit-retention.ts); 0 keeps them. */
  auditRetentionMs?: number;
  /** How often the audit is trimmed when a retention is set; default 60 s. */
  auditTrimEveryMs?: number;
}

export interface Sweeper {
  stop(): Promise<void>;
}

const MIN_DELAY_MS = 5;

export function startSweeper({ ledger, redis, keys, intervalMs = 250, onError, auditRetentionMs = 0, auditTrimEveryMs = 60_000 }: SweeperOptions): Sweeper {
  let stopped = false;
  let lastAuditTrim = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function nextExpiry(): Promise<number | null> {
    const tenants = await redis.smembers(keys.tenants());
    if (tenants.length === 0) return null;
    const pipe = redis.pipeline();
    for (const t of tenants) pipe.zrange(keys.reservationExpiry(t), '0', '0', 'WITHSCORES');
    const replies = (await pipe.exec()) ?? [];
    let min: number | null = null;
    for (const [err, v] of replies) {
      const score = !err && Array.isArray(v) && v.length === 2 ? Number(v[1]) : NaN;
      if (!Number.isNaN(score) && (min === null || score < min)) min = score;
    }
    return min;
  }

  async function tick() {
    let delay = intervalMs;
    try {
      await ledger.sweepExpired();
      if (auditRetentionMs > 0 && Date.now() - lastAuditTrim >= auditTrimEveryMs) {
        lastAuditTrim = Date.now();
        await trimAudit(redis, keys, auditRetentionMs);
      }
      const next = await nextExpiry();
      if (next !== null) delay = Math.min(intervalMs, Math.max(MIN_DELAY_MS, next - Date.now() + 1));
    } catch (err) {
      onError?.(err);
    }
    if (!stopped) timer = setTimeout(schedule, delay);
  }

  function schedule() {
    running = tick();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
