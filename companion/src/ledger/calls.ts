/**
 * Typed wrappers: one function per event type turning a validated event into the exact KEYS/ARGV
 * layout its Lua script documents in its header. No quantity is read here; the scripts decide.
 */
import { ValidationError } from '../errors';
import { STORE_SOURCES, type StockEvent } from '../schemas/events';
import type { Keys } from './keys';
import type { ScriptCall } from './scripts';

export interface CallContext {
  keys: Keys;
  tenant: string;
  nowMs: number;
  idempotencyTtlSeconds: number;
  /** The tenant's fixed keys, built once per tenant by the ledger (see tenantKeys). */
  fixed: TenantKeys;
}

/** Keys that depend only on the tenant; cached per tenant so the hot path builds one key per event. */
export interface TenantKeys {
  shared: [string, string, string, string, string, string];
  skuPrefix: string;
  reservationPrefix: string;
  reservationExpiry: string;
}

export function tenantKeys(keys: Keys, tenant: string): TenantKeys {
  return {
    shared: [
      keys.audit(tenant),
      keys.changes(tenant),
      keys.skuIndex(tenant),
      keys.incidents(tenant),
      keys.openIncidents(tenant),
      keys.incidentSeq(tenant),
    ],
    skuPrefix: keys.sku(tenant, ''),
    reservationPrefix: keys.reservation(tenant, ''),
    reservationExpiry: keys.reservationExpiry(tenant),
  };
}

type Line = { sku: string; qty: number };
const flatLines = (lines: Line[]) => [lines.length, ...lines.flatMap((l) => [l.sku, l.qty])];

/** KEYS[1..7] shared by every event script. */
function commonKeys(ctx: CallContext, eventId: string): string[] {
  return [ctx.keys.idempotency(ctx.tenant, eventId), ...ctx.fixed.shared];
}

// The scripts write ids, source and times into the audit JSON verbatim (no escaping on the hot
// path), so anything that is not JSON-safe is stopped here. The HTTP schemas already forbid these
// characters; this guards direct callers of the ledger.
const JSON_UNSAFE = /["\\\u0000-\u001f]/;
function jsonSafe(value: string, pointer: string) {
  if (JSON_UNSAFE.test(value)) throw new ValidationError(`${pointer.slice(1)} must not contain quotes, backslashes or control characters`, pointer);
}

/** ARGV[1..9] shared by every event script. */
function commonArgs(ctx: CallContext, e: { id: string; type: string; source: string; occurredAt: string }, ttl = ctx.idempotencyTtlSeconds) {
  jsonSafe(e.id, '/id');
  jsonSafe(e.source, '/source');
  jsonSafe(e.occurredAt, '/occurredAt');
  const occurredMs = Date.parse(e.occurredAt);
  if (Number.isNaN(occurredMs)) throw new ValidationError('occurredAt must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z', '/occurredAt');
  return [e.id, e.type, e.source, e.occurredAt, occurredMs, ctx.nowMs, new Date(ctx.nowMs).toISOString(), ttl, ctx.fixed.skuPrefix];
}

/** Marketplace orders already happened elsewhere: recorded even when they oversell. */
export const isFactSource = (source: string) => !(STORE_SOURCES as readonly string[]).includes(source);

export function eventCall(ctx: CallContext, event: StockEvent): ScriptCall {
  const { keys, tenant } = ctx;
  const k = commonKeys(ctx, event.id);
  const a = commonArgs(ctx, event);
  if ('orderId' in event) jsonSafe(event.orderId, '/orderId');
  if ('reservationId' in event && event.reservationId !== undefined) jsonSafe(event.reservationId, '/reservationId');
  switch (event.type) {
    case 'stock.reserved':
      return {
        name: 'reserve-9',
        keys: [...k, keys.reservation(tenant, event.reservationId), ctx.fixed.reservationExpiry],
        args: [...a, event.reservationId, ctx.nowMs + (event.ttlSeconds ?? 900) * 1000, ...flatLines(event.lines)],
      };
    case 'stock.released':
      return {
        name: 'release-9',
        keys: [...k, keys.reservation(tenant, event.reservationId), ctx.fixed.reservationExpiry],
        args: [...a, event.reservationId, event.reason],
      };
    case 'order.confirmed':
      return {
        name: 'confirm-10',
        keys: [
          ...k,
          keys.order(tenant, event.orderId),
          // Without a reservation the script never reads this key; any key of the tenant's slot will do.
          keys.reservation(tenant, event.reservationId ?? ''),
          ctx.fixed.reservationExpiry,
        ],
        args: [...a, event.orderId, event.reservationId ?? '', isFactSource(event.source) ? '1' : '0', ...flatLines(event.lines)],
      };
    case 'order.cancelled':
      return { name: 'cancel-8', keys: [...k, keys.order(tenant, event.orderId)], args: [...a, event.orderId, event.reason ?? ''] };
    case 'stock.shipped':
      return { name: 'ship-8', keys: [...k, keys.order(tenant, event.orderId)], args: [...a, event.orderId, ...flatLines(event.lines ?? [])] };
    case 'stock.received':
      return { name: 'receive-7', keys: k, args: [...a, event.sku, event.qty] };
    case 'stock.adjusted': {
      const hasSet = event.set !== undefined;
      if (hasSet === (event.delta !== undefined)) throw new ValidationError('give exactly one of set or delta', hasSet ? '/delta' : '/set');
      return {
        name: 'adjust-7',
        keys: k,
        args: [...a, event.sku, hasSet ? 'set' : 'delta', (hasSet ? event.set : event.delta)!, event.expectedVersion ?? '', event.reason],
      };
    }
  }
}

export function pauseCall(ctx: CallContext, sku: string, paused: boolean, reason: string): ScriptCall {
  const id = `${paused ? 'pause' : 'relist'}:${ctx.nowMs}:${Math.random().toString(36).slice(2, 10)}`;
  const at = new Date(ctx.nowMs).toISOString();
  const e = { id, type: paused ? 'stock.paused' : 'stock.relisted', source: 'manual', occurredAt: at };
  return { name: 'pause-7', keys: commonKeys(ctx, id), args: [...commonArgs(ctx, e, 0), sku, paused ? '1' : '0', reason] };
}

export function expireCall(ctx: CallContext, max: number): ScriptCall {
  const f = ctx.fixed;
  return {
    name: 'expire-7',
    keys: [f.reservationExpiry, ...f.shared],
    args: [ctx.nowMs, new Date(ctx.nowMs).toISOString(), f.skuPrefix, f.reservationPrefix, max],
  };
}
