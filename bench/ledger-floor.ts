/**
 * The floor under the ledger's reserve: what Redis spends on the nine commands one reserve must
 * issue (design.md's contract: idempotency GET + SET, the reservation's read, hash and expiry
 * entry, the SKU's HMGET + HSET, one audit and one change-feed entry), issued from a plain Lua loop
 * with no ledger logic, on the same Redis and keyspace the ledger rows just grew. Imported by
 * bench/ledger.ts, which sets it beside the reserve row: if the commands alone cost more than the
 * budget a 0.5× ratio leaves, no rewrite of the scripts' logic can meet that target; only
 * dropping commands (i.e. contract items) can.
 *
 * The loop writes to its own tenant ('floor'), whose SKUs the ledger seeded, so the ledger's own
 * figures and state are untouched. Its reservation expiry set starts empty (the ledger's already
 * holds every bench reservation), so the floor, if anything, comes out low.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../companion/src/ledger/keys';
import type { Ledger } from '../companion/src/ledger/types';
import type { StockEvent } from '../companion/src/schemas/events';

const TENANT = 'floor';
const SKUS = 1000;
const CHUNK = 16; // events per EVAL, as the ledger's group commit sends them (group-commit.ts MAX_GROUP)

/** The reserve fast path's commands (lua/reserve-5.lua, includes/fast.lua), arguments alike. */
const LOOP = `
local idemPrefix, resPrefix, skuPrefix, audit, changes, expiry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local n, from, nowIso, nowMs = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9], ARGV[10]
local call = redis.call
local t0 = call('TIME')
for i = from, from + n - 1 do
  local id = tostring(i)
  local idem, res, sku = idemPrefix .. 'f-' .. id, resPrefix .. 'cart-f-' .. id, 'SKU-' .. (i % ${SKUS})
  local skuKey = skuPrefix .. sku
  call('GET', idem)
  call('HGET', res, 'lines')
  local v = call('HMGET', skuKey, 'onHand', 'committed', 'reserved', 'version', 'paused', 'incident')
  call('HSET', res, 'lines', '[["' .. sku .. '",1]]', 'expiresAt', nowMs + 900000, 'source', 'woocommerce')
  call('ZADD', expiry, nowMs + 900000, 'cart-f-' .. id)
  call('HSET', skuKey, 'reserved', v[3], 'version', v[4], 'updatedAt', nowIso)
  local auditId = call('XADD', audit, '*', 'e', '{"type":"stock.reserved","eventId":"f-' .. id ..
    '","source":"woocommerce","occurredAt":"' .. nowIso .. '","at":"' .. nowIso .. '","lines":[{"sku":"' .. sku ..
    '","qty":1,"before":{"onHand":' .. v[1] .. ',"committed":' .. v[2] .. ',"reserved":' .. v[3] ..
    '},"after":{"onHand":' .. v[1] .. ',"committed":' .. v[2] .. ',"reserved":' .. v[3] ..
    '},"version":' .. v[4] .. ',"paused":null}],"reservationId":"cart-f-' .. id .. '"}')
  call('XADD', changes, '*', 'event', 'f-' .. id, 'type', 'stock.reserved', 'source', 'woocommerce', 'at', nowMs,
    'occurred', nowIso, 'skus', '["' .. sku .. '"]')
  call('SET', idem, auditId, 'EX', '604800')
end
local t1 = call('TIME')
return (t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2])
`;

/** Seeds the floor tenant's SKUs through the ledger (so their hashes are the ledger's own). */
export async function seedFloor(ledger: Ledger) {
  const at = new Date().toISOString();
  await ledger.applyBatch(
    Array.from(
      { length: SKUS },
      (_, i) => ({ tenant: TENANT, id: `floor-seed-${i}`, type: 'stock.adjusted', source: 'manual', occurredAt: at, sku: `SKU-${i}`, set: 1e9, reason: 'bench' }) as StockEvent,
    ),
  );
}

/** µs of Redis time per reserve's worth of commands, over `events` loop iterations. */
export async function measureFloor(redis: Redis, keys: Keys, events: number): Promise<number> {
  // The ledger's own key layout (keys.ts): the loop only appends ids to these prefixes.
  const layout = [keys.idempotency(TENANT, ''), keys.reservation(TENANT, ''), keys.sku(TENANT, ''), keys.audit(TENANT), keys.changes(TENANT), keys.reservationExpiry(TENANT)];
  let us = 0;
  for (let from = 1; from <= events; from += CHUNK) {
    const n = Math.min(CHUNK, events - from + 1);
    const now = Date.now();
    us += Number(await redis.eval(LOOP, 0, ...layout, n, from, new Date(now).toISOString(), now));
  }
  return us / events;
}

