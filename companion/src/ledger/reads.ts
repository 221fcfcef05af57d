/**
 * Read side of the ledger: SKU state, stock paging, audit and incident listing. Reads never write
 * and never feed a value back into a write (the Lua scripts own every change).
 */
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors';
import type { AuditEntry, Incident, StockState } from '../schemas/stock';
import type { Keys } from './keys';
import type { AuditFilter, IncidentFilter, Page } from './types';

/** A SKU hash's fields as toState reads them (propagation's lua/includes/read-rows.lua returns them in this order too). */
export const STATE_FIELDS = ['onHand', 'committed', 'reserved', 'version', 'updatedAt', 'paused'] as const;
/** An audit listing examines at most this many entries per call, then hands back a cursor. */
const AUDIT_SCAN_CAP = 10_000;
/**
 * A time filter also bounds the stream read: entry ids are Redis's clock in ms at append, `at` is
 * the companion's clock when it applied the event. The bound is widened by this much so a skew
 * between the two hosts drops nothing; `at` is then matched exactly.
 */
const CLOCK_SKEW_MS = 60_000;
/** Incidents read per call while listing newest first, and at most this many looked at per list. */
const INCIDENT_CHUNK = 500;
const INCIDENT_SCAN_CAP = 20_000;
/** Open-incident scores above this are opening times in ms (the set's first layout), not id numbers. */
const OPENED_AT_SCORES = 1e11;

/** Largest part of a stream id (Redis ids are two unsigned 64-bit numbers). */
const MAX_ID_PART = 2n ** 64n - 1n;

/**
 * The first audit id a page after `cursor` may hold, in the reading direction, as an inclusive
 * bound, or null when nothing can follow. Redis's own exclusive bound (`(id`) is refused for
 * `(0-0` read newest first and for the largest id read oldest first, so the step is taken here.
 */
function afterCursor(cursor: string, desc: boolean): string | null {
  const [ms, seq] = cursor.split('-').map((p) => BigInt(p)) as [bigint, bigint];
  if (ms > MAX_ID_PART || seq > MAX_ID_PART) {
    throw new ValidationError(`cursor ${cursor} is not an audit entry id (both numbers are at most ${MAX_ID_PART}); pass the nextCursor of the previous page`, '/cursor');
  }
  if (desc) return seq > 0n ? `${ms}-${seq - 1n}` : ms > 0n ? `${ms - 1n}-${MAX_ID_PART}` : null;
  return seq < MAX_ID_PART ? `${ms}-${seq + 1n}` : ms < MAX_ID_PART ? `${ms + 1n}-0` : null;
}

const incidentSeq = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
const parseIncidents = (raws: (string | null)[]) => raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Incident);

export function toState(sku: string, v: (string | null)[]): StockState | null {
  if (v[3] === null || v[3] === undefined) return null;
  const onHand = Number(v[0] ?? 0);
  const committed = Number(v[1] ?? 0);
  const reserved = Number(v[2] ?? 0);
  const paused = v[5] === 'oversell' || v[5] === 'manual' ? v[5] : null;
  return { sku, onHand, committed, reserved, available: onHand - committed - reserved, version: Number(v[3]), updatedAt: v[4] || null, paused };
}

export function createReads(redis: Redis, keys: Keys) {
  async function getStockMany(tenant: string, skus: string[]): Promise<(StockState | null)[]> {
    if (skus.length === 0) return [];
    const pipe = redis.pipeline();
    for (const sku of skus) pipe.hmget(keys.sku(tenant, sku), ...STATE_FIELDS);
    const replies = (await pipe.exec()) ?? [];
    return replies.map(([err, v], i) => {
      if (err) throw err;
      return toState(skus[i]!, v as (string | null)[]);
    });
  }

  async function listStock(tenant: string, opts: { prefix?: string; cursor?: string; limit?: number }): Promise<Page<StockState>> {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const prefix = opts.prefix ?? '';
    // Byte-wise lexicographic range: [prefix, prefix + 0xFF] covers every SKU starting with prefix.
    // A cursor before the prefix (a stale one, or the filter changed) must not widen the range.
    const cursorInRange = opts.cursor !== undefined && Buffer.compare(Buffer.from(opts.cursor), Buffer.from(prefix)) >= 0;
    const start: string | Buffer = cursorInRange ? `(${opts.cursor}` : prefix ? `[${prefix}` : '-';
    const stop: string | Buffer = prefix ? Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]) : '+';
    const skus = (await redis.zrange(keys.skuIndex(tenant), start, stop, 'BYLEX', 'LIMIT', 0, limit + 1)) as string[];
    const page = skus.slice(0, limit);
    const states = await getStockMany(tenant, page);
    return {
      items: states.filter((s): s is StockState => s !== null),
      nextCursor: skus.length > limit ? page[page.length - 1]! : null,
    };
  }

  /** How many SKUs start with `prefix` (all without one): one ZLEXCOUNT on the SKU index. */
  async function countStock(tenant: string, prefix = ''): Promise<number> {
    const start = prefix ? `[${prefix}` : '-';
    const stop: string | Buffer = prefix ? Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]) : '+';
    return redis.zlexcount(keys.skuIndex(tenant), start, stop as string);
  }

  /**
   * The order filter as an owner types it: the ledger's whole id (`flipkart:OD123`,
   * `wcbda80dc0:4086`), or what the admin page shows of it (`OD123`, `#4086`, `4086`), which
   * matches an id ending in `:<that>`; and the order's checkout hold, by its reservation id.
   */
  function orderIdMatcher(query: string | undefined): ((e: AuditEntry) => boolean) | null {
    if (!query) return null;
    const bare = query.replace(/^#/, '');
    const partial = !bare.includes(':');
    const tail = `:${bare}`;
    const isOrder = (id: string | undefined) => id !== undefined && (id === query || (partial && id.endsWith(tail)));
    // The order's checkout hold: the plugin names it after the order (`wcbda80dc0:4151:hold`), so
    // an order that was reserved and never paid is found too.
    const isHold = (id: string | undefined) =>
      id !== undefined && (id.startsWith(`${query}:`) || (partial && (id.includes(`${tail}:`) || id.endsWith(tail))));
    return (e) => isOrder(e.orderId) || (e.orderId === undefined && isHold(e.reservationId));
  }

  async function listAudit(tenant: string, f: AuditFilter): Promise<Page<AuditEntry>> {
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 1000);
    const desc = (f.order ?? 'desc') === 'desc';
    const key = keys.audit(tenant);
    const orderMatches = orderIdMatcher(f.orderId);
    const match = (e: AuditEntry) => {
      if (f.type && e.type !== f.type) return false;
      if (orderMatches && !orderMatches(e)) return false;
      // A channel's own entries (push, ack, failed) and the events that came from it (its sales).
      if (f.channel && (e.channel ?? e.source) !== f.channel) return false;
      if (f.sku && !e.lines?.some((l) => l.sku === f.sku)) return false;
      if (f.from !== undefined || f.to !== undefined) {
        const at = Date.parse(e.at);
        if (f.from !== undefined && at < f.from) return false;
        if (f.to !== undefined && at > f.to) return false;
      }
      return true;
    };
    const items: AuditEntry[] = [];
    let cursor = f.cursor;
    let scanned = 0;
    let next = cursor === undefined ? undefined : afterCursor(cursor, desc);
    if (next === null) return { items: [], nextCursor: null };
    const chunk = Math.max(limit * 2, 200);
    // Ids outside [from, to] (widened by the skew) are not read at all: a week of a busy store's
    // audit is then a range read, not a scan from the newest entry.
    const oldest = f.from !== undefined ? String(Math.max(0, f.from - CLOCK_SKEW_MS)) : '-';
    const newest = f.to !== undefined ? String(f.to + CLOCK_SKEW_MS) : '+';
    for (;;) {
      const rows = desc
        ? await redis.xrevrange(key, next ?? newest, oldest, 'COUNT', chunk)
        : await redis.xrange(key, next ?? oldest, newest, 'COUNT', chunk);
      for (const [id, fields] of rows) {
        cursor = id;
        scanned++;
        const raw = fields[fields.indexOf('e') + 1];
        if (!raw) continue;
        const e = { ...(JSON.parse(raw) as Omit<AuditEntry, 'id'>), id } as AuditEntry;
        if (!Array.isArray(e.lines)) e.lines = [];
        if (match(e)) {
          items.push(e);
          if (items.length === limit) return { items, nextCursor: id };
        }
      }
      if (rows.length < chunk) return { items, nextCursor: null };
      // Bounded work per request: a sparse filter returns what it found plus where to go on.
      if (scanned >= AUDIT_SCAN_CAP) return { items, nextCursor: cursor ?? null };
      next = afterCursor(cursor!, desc);
      if (next === null) return { items, nextCursor: null };
    }
  }

  /**
   * Incidents newest first (highest id first), a page at a time. The cursor is the last id handed
   * out; the next page starts below it.
   */
  async function listIncidents(tenant: string, opts: IncidentFilter = {}): Promise<Page<Incident>> {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const below = opts.cursor ? incidentSeq(opts.cursor) : Infinity;
    if (opts.status === 'open') return listOpenIncidents(tenant, limit, below);
    // Ids are inc-1, inc-2 … in the order incidents were opened (rare.lua), so the newest are read
    // a chunk at a time from the counter down, instead of every incident the store ever had.
    const top = Math.min((Number(await redis.get(keys.incidentSeq(tenant))) || 0) + 1, below) - 1;
    const items: Incident[] = [];
    let hi = top;
    while (hi > 0 && top - hi < INCIDENT_SCAN_CAP) {
      const ids = Array.from({ length: Math.min(INCIDENT_CHUNK, hi) }, (_, i) => `inc-${hi - i}`);
      for (const inc of parseIncidents(await redis.hmget(keys.incidents(tenant), ...ids))) {
        if (opts.status && inc.status !== opts.status) continue;
        items.push(inc);
        if (items.length === limit) return { items, nextCursor: incidentSeq(inc.id) > 1 ? inc.id : null };
      }
      hi -= ids.length;
    }
    // Bounded work per request: a sparse filter returns what it found plus where to go on.
    return { items, nextCursor: hi > 0 ? `inc-${hi + 1}` : null };
  }

  /** Open incidents come from their own set, scored by the id's number (rare.lua). */
  async function listOpenIncidents(tenant: string, limit: number, below: number): Promise<Page<Incident>> {
    const set = keys.openIncidents(tenant);
    const max = below === Infinity ? '+inf' : `(${below}`;
    const read = async () => {
      const flat = await redis.zrevrangebyscore(set, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit);
      return { ids: flat.filter((_, i) => i % 2 === 0), topScore: Number(flat[1] ?? 0) };
    };
    let { ids, topScore } = await read();
    if (topScore > OPENED_AT_SCORES) {
      // Stored before the set was scored by id (it was by opening time, in ms, which sorts above
      // every id): rescore those once. XX: one resolved meanwhile (ZREM) is not put back.
      const old = await redis.zrangebyscore(set, `(${OPENED_AT_SCORES}`, '+inf');
      if (old.length) await redis.zadd(set, 'XX', ...old.flatMap((id) => [incidentSeq(id), id]));
      ({ ids } = await read());
    }
    const open = ids.length ? parseIncidents(await redis.hmget(keys.incidents(tenant), ...ids)).filter((i) => i.status === 'open') : [];
    return { items: open, nextCursor: ids.length === limit ? ids[ids.length - 1]! : null };
  }

  return { getStockMany, listStock, countStock, listAudit, listIncidents };
}
