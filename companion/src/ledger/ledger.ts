/**
 * The Redis ledger: every change is one Lua script (lua/*.lua) run through scripts.ts; this file
 * only routes events to their script, registers tenants and turns script replies into results.
 */
import type { Redis } from 'ioredis';
import { RefusalError, StocklineError } from '../errors';
import type { StockEvent } from '../schemas/events';
import type { EventResult, StockState } from '../schemas/stock';
import { eventCall, expireCall, pauseCall, type CallContext } from './calls';
import type { Keys } from './keys';
import { createReads } from './reads';
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

/** Script reply { kind, json } → EventResult. Kinds are documented in each script header. */
export function parseReply(reply: unknown): EventResult {
  if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[1] !== 'string') {
    throw new StocklineError(`unexpected ledger script reply: ${JSON.stringify(reply)}`, 'ledger_error', 500, true);
  }
  const [kind, json] = reply as [string, string];
  const r = JSON.parse(json) as EventResult;
  // cjson writes an empty Lua table as {}; the contract wants an array.
  if (!Array.isArray(r.stock)) r.stock = [];
  if (kind === 'duplicate' || kind === 'noop') r.status = 'duplicate';
  else if (kind === 'refused') r.status = 'refused';
  else r.status = 'applied';
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
  const reads = createReads(redis, keys);
  const knownTenants = new Set<string>();
  const ctx = (tenant: string): CallContext => ({ keys, tenant, nowMs: now(), idempotencyTtlSeconds: ttl });

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
      await registerTenants([tenant]);
      let reply: unknown;
      try {
        reply = await scripts.run(eventCall(ctx(tenant), event));
      } catch (err) {
        if (err instanceof StocklineError) throw err;
        throw scriptFailure(err);
      }
      return parseReply(reply);
    },

    async applyBatch(events) {
      await registerTenants(events.map(tenantOf));
      const replies = await scripts.runMany(events.map((e) => eventCall(ctx(tenantOf(e)), e)));
      return replies.map((r) => {
        if (r instanceof Error) throw scriptFailure(r);
        return parseReply(r);
      });
    },

    async getStock(tenant, sku) {
      const [s] = await reads.getStockMany(tenant, [sku]);
      return s ?? null;
    },
    getStockMany: reads.getStockMany,
    listStock: reads.listStock,
    listAudit: reads.listAudit,
    listIncidents: reads.listIncidents,

    async setPaused(tenant, sku, paused, reason) {
      await registerTenants([tenant]);
      const r = parseReply(await scripts.run(pauseCall(ctx(tenant), sku, paused, reason)));
      if (r.status === 'refused') throw new RefusalError(r.message ?? `${sku} is not in the ledger`, 'unknown_sku', 404);
      return r.stock[0] ?? stateOrThrow(tenant, sku);
    },

    async sweepExpired(at) {
      const tenants = await redis.smembers(keys.tenants());
      let total = 0;
      for (const tenant of tenants) {
        const c = { ...ctx(tenant), nowMs: at ?? now() };
        for (;;) {
          const [released, examined] = (await scripts.run(expireCall(c, SWEEP_BATCH))) as [number, number];
          total += released;
          if (examined < SWEEP_BATCH) break;
        }
      }
      return total;
    },
  };
}
