/**
 * Audit retention. The audit is the ledger's record and is kept for good by default; every applied
 * event and every channel push and acknowledgement adds an entry, so a busy store's audit is the
 * largest thing in Redis. With STOCKLINE_AUDIT_RETENTION_DAYS set, entries older than that are
 * trimmed. The window may not be shorter than the idempotency window: a duplicate event's answer
 * is rebuilt from its audit entry (config.ts refuses a shorter one).
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys';

/**
 * Drops audit entries older than `retentionMs` from every known tenant's audit. `~` trims whole
 * internal stream nodes only (cheap; a few older entries may stay until the next trim). Returns
 * how many entries went.
 */
export async function trimAudit(redis: Redis, keys: Keys, retentionMs: number, now = Date.now()): Promise<number> {
  if (!(retentionMs > 0)) return 0;
  const tenants = await redis.smembers(keys.tenants());
  let trimmed = 0;
  for (const t of tenants) trimmed += (await redis.xtrim(keys.audit(t), 'MINID', '~', `${Math.max(0, now - retentionMs)}-0`)) as number;
  return trimmed;
}
