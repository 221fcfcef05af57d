/**
 * Which compare-and-set refusals Shopify gave before. set-rows.ts answers a row's first refusal
 * at a given changeFromQuantity unread (its order is usually on its way) and reads the row only
 * when the same compare is refused again (a manual edit: no order will come).
 *
 * With several worker processes the memory must be shared (Redis): a repeat met by another
 * process than the first refusal would be answered unread again, and a manual edit on Shopify
 * would wait one recheck (recheckAfterMs) per process before it is read.
 * An item is forgotten once a push of it lands, so only a refusal repeated without a landing
 * between is read. Only items this process has seen refused are forgotten (a landing push costs no
 * Redis call otherwise); one refused in another process and landed here stays until its next
 * refusal overwrites it, which at worst reads a row once. The Redis hash expires a day after its
 * last refusal (items refused and never pushed again); the in-process sets start afresh past
 * MAX_LOCAL entries (a forgotten refusal costs one more unread answer).
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

/** Shared by every process of a tenant: one hash, inventory item id → the compare value refused. */
export function redisRefusals(redis: Redis, key: string): RefusalMemory {
  /** Items this process has asked about: the only ones a landing push needs to forget. */
  const asked = new Set<string>();
  return {
    async repeated(entries) {
      if (!entries.length) return [];
      if (asked.size + entries.length > MAX_LOCAL) asked.clear();
      for (const e of entries) asked.add(e.id);
      // One round trip: the HMGET runs before the HSET inside the transaction, so it sees the
      // values refused before this call.
      const replies = await redis
        .multi()
        .hmget(key, ...entries.map((e) => e.id))
        .hset(key, ...entries.flatMap((e) => [e.id, String(e.expected)]))
        .pexpire(key, REDIS_TTL_MS)
        .exec();
      const [err, before] = replies?.[0] ?? [new Error('transaction aborted'), null];
      if (err) throw err;
      return entries.map((e, i) => (before as (string | null)[])[i] === String(e.expected));
    },
    landed(ids) {
      const known = ids.filter((id) => asked.delete(id));
      // Sent on the same connection before any later lookup, so the order holds without waiting.
      if (known.length) redis.hdel(key, ...known).catch(() => undefined);
    },
  };
}
