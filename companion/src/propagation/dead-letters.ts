/**
 * Dead letters: pushes a channel refused for good (auth, validation, unknown listing). One per
 * (channel, sku), kept — with every attempt counted — until a person retries it (and it is then
 * delivered) or discards it. Never expired, never trimmed.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

export interface DeadLetter {
  id: string;
  channel: string;
  sku: string;
  error: string;
  code: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** A person asked to retry; removed once the retry is delivered. */
  retrying?: boolean;
}

/** base64url so any SKU (spaces, slashes, colons) is a safe path segment. */
export const deadLetterId = (channel: string, sku: string) => Buffer.from(`${channel}\n${sku}`).toString('base64url');

export function createDeadLetters(deps: { redis: Redis; keys: Keys }) {
  const { redis, keys } = deps;
  const hash = (tenant: string) => keys.propagation(tenant, 'dead');
  const index = (tenant: string) => keys.propagation(tenant, 'dead:index');

  const get = async (tenant: string, id: string): Promise<DeadLetter | null> => {
    const raw = await redis.hget(hash(tenant), id);
    return raw ? (JSON.parse(raw) as DeadLetter) : null;
  };

  return {
    get,
    /** Records one more failed attempt. Callers hold the (channel, sku) lease, so no two write at once. */
    async add(tenant: string, e: { channel: string; sku: string; error: string; code: string }, now = Date.now()): Promise<DeadLetter> {
      const id = deadLetterId(e.channel, e.sku);
      const prev = await get(tenant, id);
      const at = new Date(now).toISOString();
      const letter: DeadLetter = {
        id,
        channel: e.channel,
        sku: e.sku,
        error: e.error,
        code: e.code,
        attempts: (prev?.attempts ?? 0) + 1,
        firstFailedAt: prev?.firstFailedAt ?? at,
        lastFailedAt: at,
      };
      await redis.multi().hset(hash(tenant), id, JSON.stringify(letter)).zadd(index(tenant), now, id).exec();
      return letter;
    },
    async list(tenant: string, opts: { channel?: string; cursor?: string; limit?: number } = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const offset = opts.cursor ? Number(opts.cursor) || 0 : 0;
      const ids = await redis.zrevrange(index(tenant), 0, -1);
      const raws = ids.length ? await redis.hmget(hash(tenant), ...ids) : [];
      const all = raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as DeadLetter);
      const filtered = opts.channel ? all.filter((d) => d.channel === opts.channel) : all;
      const items = filtered.slice(offset, offset + limit);
      const next = offset + limit < filtered.length ? String(offset + limit) : null;
      return { items, nextCursor: next };
    },
    async count(tenant: string, channel?: string): Promise<number> {
      if (!channel) return redis.zcard(index(tenant));
      return (await this.list(tenant, { channel, limit: 500 })).items.length;
    },
    async markRetrying(tenant: string, id: string): Promise<DeadLetter | null> {
      const letter = await get(tenant, id);
      if (!letter) return null;
      await redis.hset(hash(tenant), id, JSON.stringify({ ...letter, retrying: true }));
      return letter;
    },
    /** Called after a successful delivery: a letter a person retried is done. */
    async resolveDelivered(tenant: string, channel: string, skus: string[]): Promise<void> {
      if (!skus.length) return;
      const ids = skus.map((s) => deadLetterId(channel, s));
      const raws = await redis.hmget(hash(tenant), ...ids);
      const done = ids.filter((id, i) => raws[i] && (JSON.parse(raws[i]!) as DeadLetter).retrying);
      if (done.length) await redis.multi().hdel(hash(tenant), ...done).zrem(index(tenant), ...done).exec();
    },
    async remove(tenant: string, id: string): Promise<boolean> {
      const [[, n]] = (await redis.multi().hdel(hash(tenant), id).zrem(index(tenant), id).exec()) as [[unknown, number], unknown];
      return n === 1;
    },
  };
}
export type DeadLetters = ReturnType<typeof createDeadLetters>;
