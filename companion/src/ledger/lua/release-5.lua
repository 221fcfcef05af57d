--[[
  stock.released: drop a live hold (cart abandoned, checkout failed).

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]     reservation hash                 KEYS[5]  reservation expiry zset
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] reservationId   ARGV[10] reason

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_reservation' when the
  hold never existed, was already released, confirmed, or expired — the sweeper got there first).
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local resKey, expiryKey, reservationId = KEYS[4], KEYS[5], ARGV[9]
local tx = newTx('stock.released')
tx.reservationId, tx.reason = reservationId, ARGV[10]
local raw = call('HGET', resKey, 'lines')
if not raw then
  return rare().refuse(tx, 'unknown_reservation', 'reservation ' .. reservationId .. ' is not held (never made, released, confirmed or expired)')
end
local skus, qty = decodeLines(raw)
dropHold(tx, skus, qty)
for _, sku in ipairs(skus) do tx.cache[sku].qty = qty[sku] end
call('DEL', resKey)
call('ZREM', expiryKey, reservationId)
return finish(tx)
