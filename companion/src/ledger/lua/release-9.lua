--[[
  stock.released: drop a live hold (cart abandoned, checkout failed).

  KEYS[1]  idempotency key of the event        KEYS[5]  incidents hash
  KEYS[2]  audit stream                        KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                  KEYS[7]  incident id counter
  KEYS[4]  SKU index zset                      KEYS[8]  reservation hash
                                               KEYS[9]  reservation expiry zset
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix
  ARGV[10] reservationId   ARGV[11] reason

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_reservation' when the
  hold never existed, was already released, confirmed, or expired — the sweeper got there first).
]]
--- @include "common"
readEventArgs()
local dup = duplicateOf()
if dup then return dup end

local resKey, expiryKey, reservationId = KEYS[8], KEYS[9], ARGV[10]
local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt,
  reservationId = reservationId, reason = ARGV[11] })
local raw = redis.call('HGET', resKey, 'lines')
if not raw then
  return refuse(tx, 'unknown_reservation', 'reservation ' .. reservationId .. ' is not held (never made, released, confirmed or expired)')
end
local skus, qty = decodeLines(raw)
dropHold(tx, skus, qty)
for _, sku in ipairs(skus) do tx.cache[sku].qty = qty[sku] end
redis.call('DEL', resKey)
redis.call('ZREM', expiryKey, reservationId)
return finish(tx)
