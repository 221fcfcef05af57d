/**
 * Typed wrappers: one function per event type turning a validated event into the exact KEYS/ARGV
 * layout its Lua script documents in its header. No quantity is read here; the scripts decide.
 */
import { ValidationError } from '../errors';
import { STORE_SOURCES, eventTimeMs, type StockEvent } from '../schemas/events';
import type { Keys } from './keys';
import type { ScriptCall } from './scripts';

export interface CallContext {
  keys: Keys;
  tenant: string;
  nowMs: number;
  /** nowMs as RFC 3339 (the audit's `at`, the SKU's updatedAt). */
  nowIso: string;
  idempotencyTtlSeconds: number;
  /** The tenant's fixed keys, built once per tenant by the ledger (see tenantKeys). */
  fixed: TenantKeys;
}

/** Keys that depend only on the tenant; cached per tenant so the hot path builds one key per event. */
export interface TenantKeys {
  audit: string;
  changes: string;
  skuPrefix: string;
  /**
   * SKU index, incidents hash, open incidents zset and incident counter, newline-separated: one
   * script argument instead of four (each argument costs Redis about as much as a small command),
   * split by common.lua only when a SKU is new or an incident is touched.
   */
  rareKeys: string;
  reservationPrefix: string;
  reservationExpiry: string;
}

export function tenantKeys(keys: Keys, tenant: string): TenantKeys {
  return {
    audit: keys.audit(tenant),
    changes: keys.changes(tenant),
    skuPrefix: keys.sku(tenant, ''),
    rareKeys: [keys.skuIndex(tenant), keys.incidents(tenant), keys.openIncidents(tenant), keys.incidentSeq(tenant)].join('\n'),
    reservationPrefix: keys.reservation(tenant, ''),
    reservationExpiry: keys.reservationExpiry(tenant),
  };
}

// Quantities reach the scripts as text, and the scripts' fast path writes that text into the audit
// entry as it is: only integers are let through (the HTTP schemas already say so; this guards
// direct callers of the ledger).
function integer(value: number, pointer: string) {
  if (!Number.isSafeInteger(value)) throw new ValidationError(`${pointer.slice(1)} must be an integer`, pointer);
  return value;
}

type Line = { sku: string; qty: number };
/** Appends (sku, qty) pairs; the scripts read them up to the end of ARGV. */
function pushLines(args: (string | number)[], lines: Line[]) {
  lines.forEach((l, i) => args.push(l.sku, integer(l.qty, `/lines/${i}/qty`)));
  return args;
}

/** KEYS[1..3] shared by every event script (common.lua). */
function commonKeys(ctx: CallContext, eventId: string): string[] {
  return [ctx.keys.idempotency(ctx.tenant, eventId), ctx.fixed.audit, ctx.fixed.changes];
}

// The scripts write ids, source and times into the audit JSON verbatim (no escaping on the hot
// path), so anything that is not JSON-safe is stopped here. The HTTP schemas already forbid these
// characters; this guards direct callers of the ledger.
const JSON_UNSAFE = /["\\\u0000-\u001f]/;
function jsonSafe(value: string, pointer: string) {
  if (JSON_UNSAFE.test(value)) throw new ValidationError(`${pointer.slice(1)} must not contain quotes, backslashes or control characters`, pointer);
}

/** ms of an RFC 3339 time; the scripts that judge staleness (receive, adjust) take it as a number. */
function occurredMs(occurredAt: string) {
  const ms = eventTimeMs(occurredAt);
  if (Number.isNaN(ms)) throw new ValidationError('/occurredAt must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z', '/occurredAt');
  return ms;
}

/**
 * The time staleness is judged by: occurredAt, but never later than now. A count recorded as made
 * in the future (a sender's clock ahead, or a marketplace's) would otherwise make every receipt and
 * adjustment of the SKU until that moment look older than it, and be refused as stale.
 */
const judgedAt = (ctx: CallContext, occurredAt: string) => Math.min(occurredMs(occurredAt), ctx.nowMs);

/** ARGV[1..8] shared by every event script (common.lua). The script knows its own event type. */
function commonArgs(ctx: CallContext, e: { id: string; source: string; occurredAt: string }, ttl = ctx.idempotencyTtlSeconds): (string | number)[] {
  jsonSafe(e.id, '/id');
  jsonSafe(e.source, '/source');
  jsonSafe(e.occurredAt, '/occurredAt');
  occurredMs(e.occurredAt);
  return [e.id, e.source, e.occurredAt, ctx.nowMs, ctx.nowIso, ttl, ctx.fixed.skuPrefix, ctx.fixed.rareKeys];
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
      k.push(keys.reservation(tenant, event.reservationId), ctx.fixed.reservationExpiry);
      a.push(event.reservationId, ctx.nowMs + (event.ttlSeconds ?? 900) * 1000);
      return { name: 'reserve-5', keys: k, args: pushLines(a, event.lines) };
    case 'stock.released':
      k.push(keys.reservation(tenant, event.reservationId), ctx.fixed.reservationExpiry);
      a.push(event.reservationId, event.reason);
      return { name: 'release-5', keys: k, args: a };
    case 'order.confirmed':
      k.push(
        keys.order(tenant, event.orderId),
        // Without a reservation the script never reads this key; any key of the tenant's slot will do.
        event.reservationId === undefined ? ctx.fixed.reservationExpiry : keys.reservation(tenant, event.reservationId),
        ctx.fixed.reservationExpiry,
        // Units the selling channel already shows gone (propagation reads them; see confirm-7.lua).
        keys.propagation(tenant, `own:${event.source}`),
      );
      // A store order taken on backorder already happened, like a marketplace sale: a fact,
      // marked as a backorder in the incident it may open ('2').
      a.push(event.orderId, event.reservationId ?? '', isFactSource(event.source) ? '1' : event.backorder === true ? '2' : '0');
      return { name: 'confirm-7', keys: k, args: pushLines(a, event.lines) };
    case 'order.cancelled':
      k.push(keys.order(tenant, event.orderId));
      a.push(event.orderId, event.reason ?? '');
      return { name: 'cancel-4', keys: k, args: a };
    case 'stock.shipped':
      k.push(keys.order(tenant, event.orderId));
      a.push(event.orderId, judgedAt(ctx, event.occurredAt));
      return { name: 'ship-4', keys: k, args: pushLines(a, event.lines ?? []) };
    case 'stock.received':
      a.push(judgedAt(ctx, event.occurredAt), event.sku, integer(event.qty, '/qty'));
      return { name: 'receive-3', keys: k, args: a };
    case 'stock.adjusted': {
      const hasSet = event.set !== undefined;
      if (hasSet === (event.delta !== undefined)) throw new ValidationError('give exactly one of set or delta', hasSet ? '/delta' : '/set');
      if (event.basis !== undefined && !hasSet) throw new ValidationError('basis goes with set only', '/basis');
      const value = integer((hasSet ? event.set : event.delta)!, hasSet ? '/set' : '/delta');
      const expected = event.expectedVersion === undefined ? '' : integer(event.expectedVersion, '/expectedVersion');
      const mode = !hasSet ? 'delta' : event.basis === 'available' ? 'available' : 'set';
      a.push(judgedAt(ctx, event.occurredAt), event.sku, mode, value, expected, event.reason);
      return { name: 'adjust-3', keys: k, args: a };
    }
  }
}

export function pauseCall(ctx: CallContext, sku: string, paused: boolean, reason: string): ScriptCall {
  const id = `${paused ? 'pause' : 'relist'}:${ctx.nowMs}:${Math.random().toString(36).slice(2, 10)}`;
  const e = { id, source: 'manual', occurredAt: ctx.nowIso };
  const args = commonArgs(ctx, e, 0);
  args.push(paused ? 'stock.paused' : 'stock.relisted', sku, paused ? '1' : '0', reason);
  return { name: 'pause-3', keys: commonKeys(ctx, id), args };
}

export function expireCall(ctx: CallContext, max: number): ScriptCall {
  const f = ctx.fixed;
  const args = commonArgs(ctx, { id: '', source: 'system', occurredAt: ctx.nowIso }, 0);
  args.push(f.reservationPrefix, max);
  return { name: 'expire-3', keys: [f.reservationExpiry, f.audit, f.changes], args };
}
