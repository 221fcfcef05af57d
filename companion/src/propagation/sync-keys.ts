/**
 * Names of propagation's per-(tenant, channel) keys, all under keys.propagation(tenant, …) so
 * they share the tenant's hash tag and one Lua script can touch them together.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

/** hash of each SKU's pace of sales, per tenant (pace-1.lua, lead-time.ts). */
export const paceKey = (keys: Keys, tenant: string) => keys.propagation(tenant, 'pace');

export function syncKeys(keys: Keys, tenant: string, channel: string) {
  const p = (rest: string) => keys.propagation(tenant, rest);
  return {
    /** zset sku → earliest unsynced ledger change time (ms). */
    dirty: p(`dirty:${channel}`),
    /** zset sku → lease expiry (ms): a job is pushing it. */
    leases: p(`lease:${channel}`),
    /** hash sku → "<job id>\n<since>". */
    owners: p(`owner:${channel}`),
    /** set of SKUs a job holds (so a retried job takes them back). */
    claims: (token: string) => p(`claims:${channel}:${token}`),
    /** hash sku → JSON { q, v, at }: last quantity the channel acknowledged and its ledger version. */
    acked: p(`acked:${channel}`),
    /**
     * hash sku → units this channel sold itself that the ledger recorded since our last push to it
     * was answered (counted by the ledger's confirm script, in the same step as the order): the
     * channel already shows them gone, so the next compare-and-set expects `acked.q − own`.
     * Negative after a conflict showed sales whose reports are still to come (outcomes.ts).
     */
    own: p(`own:${channel}`),
    /** token bucket of our own rate limit for this channel. */
    bucket: p(`bucket:${channel}`),
  };
}
export type SyncKeys = ReturnType<typeof syncKeys>;

/**
 * The channel shows a number of its own for these SKUs (typed there, put back by a cancel, a fresh
 * sandbox): forget what we last told it and the own sales counted against that, so the next push
 * is an absolute set and is not skipped as "already shown".
 */
export async function forgetShown(redis: Redis, keys: Keys, tenant: string, channel: string, skus: readonly string[]): Promise<void> {
  if (!skus.length) return;
  const k = syncKeys(keys, tenant, channel);
  await redis.multi().hdel(k.acked, ...skus).hdel(k.own, ...skus).exec();
}

/**
 * Records that the channel shows these numbers now (a sandbox just listed at them, sandbox-demo.ts),
 * as an acknowledgement of a push would, with no own sales since: the next push compares against
 * them, and the admin page reads what each shows instead of "not listed".
 */
export async function setShown(redis: Redis, keys: Keys, tenant: string, channel: string, rows: readonly { sku: string; quantity: number; version: number }[], at = Date.now()): Promise<void> {
  if (!rows.length) return;
  const k = syncKeys(keys, tenant, channel);
  const acked = rows.flatMap((r) => [r.sku, JSON.stringify({ q: r.quantity, v: r.version, at, l: 1 } satisfies Acked)]);
  await redis.multi().hset(k.acked, ...acked).hdel(k.own, ...rows.map((r) => r.sku)).exec();
}

export interface Acked {
  q: number;
  v: number;
  at: number;
  /**
   * Set when `q` is what the channel reported on a compare-and-set conflict: the ledger version
   * we were trying to push then. Until the ledger moves past it, the channel's lower number is
   * a sale we have not heard of yet and must not be pushed over.
   */
  sv?: number;
  /** 1: the channel had applied `q` when it answered (not accepted for later); read by mark-2.lua. */
  l?: 1;
}
