/**
 * Read side of the ledger: SKU state, stock paging, audit and incident listing. Reads never write
 * and never feed a value back into a write (the Lua scripts own every change).
 */
import type { Redis } from 'ioredis';
import type { AuditEntry, Incident, StockState } from '../schemas/stock';
import type { Keys } from './keys';
import type { AuditFilter, Page } from './types';

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
    const start: string | Buffer = opts.cursor ? `(${opts.cursor}` : prefix ? `[${prefix}` : '-';
    const stop: string | Buffer = prefix ? Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]) : '+';
    const skus = (await redis.zrange(keys.skuIndex(tenant), start, stop, 'BYLEX', 'LIMIT', 0, limit + 1)) as string[];
    const page = skus.slice(0, limit);
    const states = await getStockMany(tenant, page);
    return {
      items: states.filter((s): s is StockState => s !== null),
      nextCursor: skus.length > limit ? page[page.length - 1]! : null,
    };
  }

  async function listAudit(tenant: string, f: AuditFilter): Promise<Page<AuditEntry>> {
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 1000);
    const desc = (f.order ?? 'desc') === 'desc';
    const key = keys.audit(tenant);
    const match = (e: AuditEntry) => {
      if (f.type && e.type !== f.type) return false;
      if (f.orderId && e.orderId !== f.orderId) return false;
      if (f.channel && e.channel !== f.channel) return false;
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
    const chunk = Math.max(limit * 2, 200);
    // Ids outside [from, to] (widened by the skew) are not read at all: a week of a busy store's
    // audit is then a range read, not a scan from the newest entry.
    const oldest = f.from !== undefined ? String(Math.max(0, f.from - CLOCK_SKEW_MS)) : '-';
    const newest = f.to !== undefined ? String(f.to + CLOCK_SKEW_MS) : '+';
    for (;;) {
      const rows = desc
        ? await redis.xrevrange(key, cursor ? `(${cursor}` : newest, oldest, 'COUNT', chunk)
        : await redis.xrange(key, cursor ? `(${cursor}` : oldest, newest, 'COUNT', chunk);
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
    }
  }

  async function listIncidents(tenant: string, opts: { status?: 'open' | 'resolved'; limit?: number } = {}): Promise<Incident[]> {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
    const seq = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
    const parse = (raws: (string | null)[]) => raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Incident);
    if (opts.status === 'open') {
      const ids = await redis.zrevrange(keys.openIncidents(tenant), 0, limit - 1);
      const open = ids.length ? parse(await redis.hmget(keys.incidents(tenant), ...ids)) : [];
      return open.filter((i) => i.status === 'open').sort((a, b) => seq(b.id) - seq(a.id));
    }
    // Ids are inc-1, inc-2 … in the order incidents were opened (rare.lua), so the newest are read
    // a chunk at a time from the counter down, instead of every incident the store ever had.
    const top = Number(await redis.get(keys.incidentSeq(tenant))) || 0;
    const found: Incident[] = [];
    for (let hi = top; hi > 0 && found.length < limit && top - hi < INCIDENT_SCAN_CAP; hi -= INCIDENT_CHUNK) {
      const ids = Array.from({ length: Math.min(INCIDENT_CHUNK, hi) }, (_, i) => `inc-${hi - i}`);
      for (const inc of parse(await redis.hmget(keys.incidents(tenant), ...ids))) if (!opts.status || inc.status === opts.status) found.push(inc);
    }
    return found.slice(0, limit);
  }

  return { getStockMany, listStock, listAudit, listIncidents };
}
