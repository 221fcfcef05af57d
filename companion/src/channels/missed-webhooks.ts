/**
 * Orders a channel's reconciliation poll recorded before its webhook did, although they were
 * created minutes earlier while Stockline was listening: the channel's webhooks are not reaching
 * us (Shopify removes a subscription after repeated failed deliveries and only emails the app's
 * owner; an address or secret changed). Those orders are still recorded, but up to a poll
 * interval late, and other channels sell their units meanwhile, so GET /v1/channels says so.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

/** The last order only the poll brought, and how many there were in all. */
export interface MissedWebhook {
  order: string;
  createdAt: string;
  /** When the poll recorded it. */
  foundAt: string;
  count: number;
}

/** A webhook normally lands within seconds; an order older than this when the poll records it first was missed. */
export const WEBHOOK_GRACE_MS = 120_000;

export function missedWebhooks(redis: Redis, keys: Keys) {
  const key = (tenant: string, channel: string) => keys.propagation(tenant, `ingest:${channel}:missed`);
  return {
    /** Orders the poll recorded first (applied, not duplicates); `at` is when. */
    async record(tenant: string, channel: string, orders: { id: string; createdAt: string }[], at = Date.now()): Promise<void> {
      const last = orders.at(-1);
      if (!last) return;
      await redis
        .multi()
        .hset(key(tenant, channel), 'order', last.id, 'createdAt', last.createdAt, 'foundAt', new Date(at).toISOString())
        .hincrby(key(tenant, channel), 'count', orders.length)
        .exec();
    },
    async last(tenant: string, channel: string): Promise<MissedWebhook | null> {
      const h = await redis.hgetall(key(tenant, channel));
      if (!h.order || !h.createdAt || !h.foundAt) return null;
      return { order: h.order, createdAt: h.createdAt, foundAt: h.foundAt, count: Number(h.count ?? 0) };
    },
  };
}
export type MissedWebhooks = ReturnType<typeof missedWebhooks>;
