/**
 * The Redis ledger: every change is one Lua script (lua/*.lua) run through scripts.ts; this file
 * only routes events to their script, registers tenants and turns script replies into results.
 */
import type { Redis } from 'ioredis';
import { RefusalError, StocklineError } from '../errors';
import type { StockEvent } from '../schemas/events';
import type { AuditEntry, EventResult, StockState } from '../schemas/stock';
import { eventCall, expireCall, pauseCall, tenantKeys, type CallContext, type TenantKeys } from './calls';
import type { Keys } from './keys';
import { createReads } from './reads';
import { createGroupCommit } from './group-commit';
import { createScriptRunner } from './scripts';
import type { Ledger } from './types';

export interface LedgerOptions {
  redis: Redis;
  keys: Keys;
  /** How long an applied event's result is kept for duplicate detection (design: ≥ 7 days). */
  idempotencyTtlSeconds?: number;
  /** Clock (ms); tests inject one to make TTLs and staleness deterministic. */
  now?: () => number;
}

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_TENANT = 'default';
/** Holds released per script call by the sweeper; it loops while a call is full. */
const SWEEP_BATCH = 200;

const tenantOf = (e: StockEvent) => e.tenant ?? DEFAULT_TENANT;

type AuditLine = AuditEntry['lines'][number] & { paused?: StockState['paused'] };
type StoredEntry = Omit<AuditEntry, 'id' | 'lines'> & {
  lines: AuditLine[];
  incidents?: { opened?: string[]; recorded?: string[]; resolved?: string[] };
};

/** An applied event's result, rebuilt from its audit entry (the entry holds every SKU's state after it). */
export function resultFromAudit(json: string, status: 'applied' | 'duplicate'): EventResult {
  const e = JSON.parse(json) as StoredEntry;
  const stock = (Array.isArray(e.lines) ? e.lines : []).map((l): StockState => {
    const { onHand, committed, reserved } = l.after!;
    return { sku: l.sku, onHand, committed, reserved, available: onHand - committed - reserved, version: l.version!, updatedAt: e.at, paused: l.paused ?? null };
  });
  const r: EventResult = { id: e.eventId!, status, stock };
  const recorded = e.incidents?.recorded;
  if (recorded?.length) {
    r.incidentId = recorded[0];
    r.details = { incidentIds: recorded };
  }
  return r;
}

/** The one line of an event the scripts' fast path can apply (one-line reserve / confirm, adjust). */
function singleSku(e: StockEvent): string | undefined {
  if ('lines' in e) return e.lines?.length === 1 ? e.lines[0]!.sku : undefined;
  return 'sku' in e ? e.sku : undefined;
}

/**
 * The fast path's reply, '+<version> <onHand> <committed> <reserved>' for the event's one SKU (not
 * paused, no incident), saves parsing the audit entry; the values are the entry's, so a duplicate
 * (rebuilt from the entry) still equals the first result.
 */
function resultFromFastReply(reply: string, event: StockEvent, at: string): EventResult {
  const sku = singleSku(event);
  const [version, onHand, committed, reserved] = reply.slice(1).split(' ').map(Number) as [number, number, number, number];
  if (sku === undefined || Number.isNaN(reserved)) {
    throw new StocklineError(`unexpected ledger script reply: ${reply}`, 'ledger_error', 500, true);
  }
  const available = onHand - committed - reserved;
  return { id: event.id, status: 'applied', stock: [{ sku, onHand, committed, reserved, available, version, updatedAt: at, paused: null }] };
}

/**
 * Script reply → EventResult. Reply shapes are documented in each script header; `applied`
 * (the event and the time it was applied at) is needed for the fast path's reply only.
 */
export function parseReply(reply: unknown, eventId: string, applied?: { event: StockEvent; at: string }): EventResult {
  // Applied: a plain string (a table reply costs the script far more): the audit entry's JSON, or
  // the fast path's short form.
  if (typeof reply === 'string') {
    if (reply.startsWith('+') && applied) return resultFromFastReply(reply, applied.event, applied.at);
    return resultFromAudit(reply, 'applied');
  }
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') {
    throw new StocklineError(`unexpected ledger script reply: ${JSON.stringify(reply)}`, 'ledger_error', 500, true);
  }
  const kind = reply[0] as string;
  if (kind === 'duplicate') {
    const json = reply[2];
    if (typeof json === 'string') return resultFromAudit(json, kind);
    // The audit entry behind the first result is gone (stream trimmed by an operator).
    return { id: eventId, status: 'duplicate', message: `already applied as audit entry ${String(reply[1])}; its result is no longer retained`, stock: [] };
  }
  const r = JSON.parse(reply[1] as string) as EventResult;
  // cjson writes an empty Lua table as {}; the contract wants an array.
  if (!Array.isArray(r.stock)) r.stock = [];
  r.status = kind === 'refused' ? 'refused' : 'duplicate';
  // Scripts have no date formatting; the API states times in RFC 3339 (stale_event's last count).
  const lastSetAt = r.details?.lastSetAt;
  if (typeof lastSetAt === 'number') r.details!.lastSetAt = new Date(lastSetAt).toISOString();
  return r;
}

function scriptFailure(err: unknown): StocklineError {
  const message = err instanceof Error ? err.message : String(err);
  return new StocklineError(`ledger script failed: ${message}`, 'ledger_error', 500, true);
}

export function createLedger(opts: LedgerOptions): Ledger {
  const { redis, keys } = opts;
  const ttl = opts.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  const now = opts.now ?? Date.now;
  const scripts = createScriptRunner(redis);
  const commits = createGroupCommit(scripts);
  const reads = createReads(redis, keys);
  const knownTenants = new Set<string>();
  const fixedKeys = new Map<string, TenantKeys>();
  // Under load many events share a millisecond; formatting the time once per ms saves a Date per event.
  let isoMs = NaN;
  let iso = '';
  const isoOf = (ms: number) => (ms === isoMs ? iso : ((isoMs = ms), (iso = new Date(ms).toISOString())));
  const ctx = (tenant: string, at = now()): CallContext => {
    let fixed = fixedKeys.get(tenant);
    if (!fixed) fixedKeys.set(tenant, (fixed = tenantKeys(keys, tenant)));
    return { keys, tenant, nowMs: at, nowIso: isoOf(at), idempotencyTtlSeconds: ttl, fixed };
  };

  /** The tenant set lives outside any tenant's slot, so it is written here, not in Lua. */
  async function registerTenants(tenants: Iterable<string>) {
    const fresh = [...new Set(tenants)].filter((t) => !knownTenants.has(t));
    if (fresh.length === 0) return;
    await redis.sadd(keys.tenants(), ...fresh);
    for (const t of fresh) knownTenants.add(t);
  }

  async function stateOrThrow(tenant: string, sku: string): Promise<StockState> {
    const [s] = await reads.getStockMany(tenant, [sku]);
    if (!s) throw new RefusalError(`${sku} is not in the ledger`, 'unknown_sku', 404);
    return s;
  }

  return {
    async ready() {
      try {
        await scripts.loadAll();
        return true;
      } catch {
        return false;
      }
    },

    async apply(event) {
      const tenant = tenantOf(event);
      if (!knownTenants.has(tenant)) await registerTenants([tenant]);
      const c = ctx(tenant);
      let reply: unknown;
      try {
        reply = await commits.submit(tenant, eventCall(c, event));
      } catch (err) {
        if (err instanceof StocklineError) throw err;
        throw scriptFailure(err);
      }
      return parseReply(reply, event.id, { event, at: c.nowIso });
    },

    async applyBatch(events) {
      await registerTenants(events.map(tenantOf));
      // Every call is built (and validated) before any is queued, so a bad event sends nothing.
      const calls = events.map((e) => {
        const c = ctx(tenantOf(e));
        return { tenant: c.tenant, at: c.nowIso, call: eventCall(c, e) };
      });
      const replies = await Promise.allSettled(calls.map(({ tenant, call }) => commits.submit(tenant, call)));
      return replies.map((r, i) => {
        if (r.status === 'rejected') throw r.reason instanceof StocklineError ? r.reason : scriptFailure(r.reason);
        return parseReply(r.value, events[i]!.id, { event: events[i]!, at: calls[i]!.at });
      });
    },

    async getStock(tenant, sku) {
      const [s] = await reads.getStockMany(tenant, [sku]);
      return s ?? null;
    },
    getStockMany: reads.getStockMany,
    listStock: reads.listStock,
    countStock: reads.countStock,
    listAudit: reads.listAudit,
    listIncidents: reads.listIncidents,

    async setPaused(tenant, sku, paused, reason) {
      await registerTenants([tenant]);
      const r = parseReply(await commits.submit(tenant, pauseCall(ctx(tenant), sku, paused, reason)), sku);
      if (r.status === 'refused') throw new RefusalError(r.message ?? `${sku} is not in the ledger`, 'unknown_sku', 404);
      return r.stock[0] ?? stateOrThrow(tenant, sku);
    },

    async sweepExpired(at) {
      const tenants = await redis.smembers(keys.tenants());
      let total = 0;
      for (const tenant of tenants) {
        const c = ctx(tenant, at ?? now());
        for (;;) {
          const [released, examined] = (await commits.submit(tenant, expireCall(c, SWEEP_BATCH))) as [number, number];
          total += released;
          if (examined < SWEEP_BATCH) break;
        }
      }
      return total;
    },
  };
}
