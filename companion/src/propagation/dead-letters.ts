/**
 * Dead letters: pushes a channel refused for good (auth, validation, unknown listing). One per
 * (channel, sku), kept — with every attempt counted — until a push of the SKU gets through (a
 * person's retry, or a later change) or a person discards it. Never expired, never trimmed.
 *
 * Stored as one hash of letters plus two sorted indexes by time of the last failure: all letters,
 * and one per channel. Pages and per-channel counts then read only what they show (a channel whose
 * listings were never made can hold thousands of letters, and the admin page counts them every
 * few seconds).
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

/** Letter codes that park the SKU on its channel until a retry (see parked()). */
export const PARKING_CODES = new Set(['not_found']);

/** base64url so any SKU (spaces, slashes, colons) is a safe path segment; at most 444 characters (http/messages.ts DEAD_LETTER_ID_MAX_LENGTH). */
export const deadLetterId = (channel: string, sku: string) => Buffer.from(`${channel}\n${sku}`).toString('base64url');

/** The channel a letter id names (ids are `channel\nsku`, base64url). */
export const channelOf = (id: string) => Buffer.from(id, 'base64url').toString().split('\n')[0] ?? '';

/** The hash of a tenant's letters, id -> JSON DeadLetter (claim-10.lua reads it too). */
export const deadLettersKey = (keys: Keys, tenant: string) => keys.propagation(tenant, 'dead');

/**
 * What a claimed SKU's letter on the channel means for its push: parked (not pushed until a
 * person retries), retrying (a person asked: look the listing up afresh), open (pushed as usual;
 * delivery ends it).
 */
export type LetterState = 'parked' | 'retrying' | 'open';

export function letterState(raw: string | null | undefined): LetterState | undefined {
  if (!raw) return undefined;
  const letter = JSON.parse(raw) as DeadLetter;
  if (letter.retrying) return 'retrying';
  return PARKING_CODES.has(letter.code) ? 'parked' : 'open';
}

export function createDeadLetters(deps: { redis: Redis; keys: Keys }) {
  const { redis, keys } = deps;
  const hash = (tenant: string) => deadLettersKey(keys, tenant);
  const index = (tenant: string) => keys.propagation(tenant, 'dead:index');
  const channelIndex = (tenant: string, channel: string) => keys.propagation(tenant, `dead:index:${channel}`);
  const indexedMarker = (tenant: string) => keys.propagation(tenant, 'dead:indexed');
  /** Tenants whose per-channel indexes this process knows exist. */
  const indexed = new Set<string>();

  /**
   * Letters written before the per-channel indexes existed are indexed once, on first use. A letter
   * added or removed during that pass is written to both indexes by add/remove themselves; the
   * pass may put back one removed at the same moment, which pages skip (its letter is gone) and
   * the next removal of that SKU clears.
   */
  const ensureIndexed = async (tenant: string) => {
    if (indexed.has(tenant)) return;
    if (!(await redis.exists(indexedMarker(tenant)))) {
      const scored = await redis.zrange(index(tenant), '0', '-1', 'WITHSCORES');
      const tx = redis.multi();
      for (let i = 0; i < scored.length; i += 2) tx.zadd(channelIndex(tenant, channelOf(scored[i]!)), scored[i + 1]!, scored[i]!);
      await tx.set(indexedMarker(tenant), '1').exec();
    }
    indexed.add(tenant);
  };

  const get = async (tenant: string, id: string): Promise<DeadLetter | null> => {
    const raw = await redis.hget(hash(tenant), id);
    return raw ? (JSON.parse(raw) as DeadLetter) : null;
  };

  return {
    /** Records one more failed attempt. Callers hold the (channel, sku) lease, so no two write at once. */
    async add(tenant: string, e: { channel: string; sku: string; error: string; code: string }, now = Date.now()): Promise<DeadLetter> {
      await ensureIndexed(tenant);
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
      await redis.multi().hset(hash(tenant), id, JSON.stringify(letter)).zadd(index(tenant), now, id).zadd(channelIndex(tenant, e.channel), now, id).exec();
      return letter;
    },
    /**
     * Newest first; `cursor` is the offset the previous page returned. With `sku`, that SKU's
     * letters on `channels` (one field each: ids are channel + SKU), found without paging through
     * thousands (acceptance pass 27: 9,998 letters, one SKU looked for 50 rows at a time).
     */
    async list(tenant: string, opts: { channel?: string; sku?: string; channels?: readonly string[]; cursor?: string; limit?: number } = {}) {
      if (opts.sku !== undefined) {
        const ids = (opts.channel ? [opts.channel] : (opts.channels ?? [])).map((c) => deadLetterId(c, opts.sku!));
        const raws = ids.length ? await redis.hmget(hash(tenant), ...ids) : [];
        const items = raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as DeadLetter);
        return { items: items.sort((a, b) => b.lastFailedAt.localeCompare(a.lastFailedAt)), nextCursor: null };
      }
      await ensureIndexed(tenant);
      const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
      const offset = opts.cursor ? Number(opts.cursor) || 0 : 0;
      const key = opts.channel ? channelIndex(tenant, opts.channel) : index(tenant);
      const [[, ids], [, total]] = (await redis.multi().zrevrange(key, offset, offset + limit - 1).zcard(key).exec()) as [[null, string[]], [null, number]];
      const raws = ids.length ? await redis.hmget(hash(tenant), ...ids) : [];
      const items = raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as DeadLetter);
      return { items, nextCursor: offset + limit < total ? String(offset + limit) : null };
    },
    /** Every letter's id (of one channel), from the index alone: what retry-all flags. */
    async ids(tenant: string, channel?: string): Promise<string[]> {
      await ensureIndexed(tenant);
      return redis.zrange(channel ? channelIndex(tenant, channel) : index(tenant), '0', '-1');
    },
    /** Whether a letter of this id is kept: one field lookup, not the channel's whole index. */
    async has(tenant: string, id: string): Promise<boolean> {
      return (await redis.hexists(hash(tenant), id)) === 1;
    },
    async count(tenant: string, channel?: string): Promise<number> {
      await ensureIndexed(tenant);
      return redis.zcard(channel ? channelIndex(tenant, channel) : index(tenant));
    },
    /** Flags letters a person asked to retry (one read and one write for all of them); the ones found. */
    async markRetrying(tenant: string, ids: string[]): Promise<DeadLetter[]> {
      if (!ids.length) return [];
      const raws = await redis.hmget(hash(tenant), ...ids);
      const letters = raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as DeadLetter);
      if (letters.length) await redis.hset(hash(tenant), ...letters.flatMap((l) => [l.id, JSON.stringify({ ...l, retrying: true })]));
      return letters;
    },
    /**
     * The SKUs among `skus` parked on this channel: a letter says the channel has no listing for
     * them (not_found) and nobody has asked to retry it. Pushing their every later change would
     * spend the channel's rate limit on calls that cannot succeed, while real sales of listed SKUs
     * wait behind them (a probe saw Amazon, at 5 calls/s, take 166 s to show a sale). A person's
     * retry, or the listings check finding the listing, lifts it.
     */
    async parked(tenant: string, channel: string, skus: string[]): Promise<Set<string>> {
      if (!skus.length) return new Set();
      const raws = await redis.hmget(hash(tenant), ...skus.map((s) => deadLetterId(channel, s)));
      return new Set(skus.filter((_, i) => letterState(raws[i]) === 'parked'));
    },
    /**
     * Called after a successful delivery, or when the channel already shows the SKU's number: the
     * SKU's letter is done, whether a person retried it or a later change got through (a letter
     * left behind would send a merchant to fix what is fixed).
     */
    async resolveDelivered(tenant: string, channel: string, skus: string[]): Promise<void> {
      if (!skus.length) return;
      const ids = skus.map((s) => deadLetterId(channel, s));
      const raws = await redis.hmget(hash(tenant), ...ids);
      const done = ids.filter((_, i) => raws[i]);
      if (done.length) await redis.multi().hdel(hash(tenant), ...done).zrem(index(tenant), ...done).zrem(channelIndex(tenant, channel), ...done).exec();
    },
    async remove(tenant: string, id: string): Promise<boolean> {
      const [[, n]] = (await redis.multi().hdel(hash(tenant), id).zrem(index(tenant), id).zrem(channelIndex(tenant, channelOf(id)), id).exec()) as [[unknown, number], unknown];
      return n === 1;
    },
  };
}
export type DeadLetters = ReturnType<typeof createDeadLetters>;
