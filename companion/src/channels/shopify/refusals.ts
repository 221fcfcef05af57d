/**
 * Which compare-and-set refusals Shopify gave before. set-rows.ts answers a row's first refusal
 * at a given changeFromQuantity unread (its order is usually on its way) and reads the row only
 * when the same compare is refused again (a manual edit: no order will come).
 *
 * With several worker processes the memory must be shared (Redis): a repeat met by another
 * process than the first refusal would be answered unread again, and a manual edit on Shopify
 * would wait one recheck (recheckAfterMs) per process before it is read.
 * An item is forgotten once a push of it lands, so only a refusal repeated without a landing
 * between is read. The Redis hash expires a day after its last refusal (items refused and never
 * pushed again); the local map starts afresh past MAX_LOCAL entries (a forgotten refusal costs one
 * more unread answer).
 */
import type { Redis } from 'ioredis';

export interface RefusalMemory {
  /** Per entry: was this item refused at this same compare value before? Every entry is remembered as refused now. */
  repeated(entries: { id: string; expected: number | null }[]): Promise<boolean[]>;
  /** These items' pushes landed: forget their refusals. Never fails (a refusal kept costs one read later). */
  landed(ids: string[]): void;
}

const MAX_LOCAL = 20_000;
const REDIS_TTL_MS = 24 * 3600 * 1000;

/** One process's memory (no Redis: tests, a single process). */
export function localRefusals(): RefusalMemory {
  const refused = new Map<string, number | null>();
  return {
    async repeated(entries) {
      const out = entries.map((e) => refused.has(e.id) && refused.get(e.id) === e.expected);
      if (refused.size + entries.length > MAX_LOCAL) refused.clear();
      for (const e of entries) refused.set(e.id, e.expected);
      return out;
    },
    landed(ids) {
      for (const id of ids) refused.delete(id);
    },
  };
}

/** Per (item, compare value) pair in ARGV (after the TTL): 1 when the hash held that value already; then stores it. */
const REPEATED_LUA = `
local out = {}
for i = 2, #ARGV, 2 do
  out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] and 1 or 0
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return out`;

/** Shared by every process of a tenant: one hash, inventory item id → the compare value refused; one round trip a call. */
export function redisRefusals(redis: Redis, key: string): RefusalMemory {
  return {
    async repeated(entries) {
      if (!entries.length) return [];
      const args = entries.flatMap((e) => [e.id, String(e.expected)]);
      const flags = (await redis.eval(REPEATED_LUA, 1, key, REDIS_TTL_MS, ...args)) as number[];
      return entries.map((_, i) => flags[i] === 1);
    },
    landed(ids) {
      // Sent on the same connection before any later lookup, so the order holds without waiting.
      if (ids.length) redis.hdel(key, ...ids).catch(() => undefined);
    },
  };
}
