--[[
  order.cancelled: the order's still-committed (unshipped) units go back to available.

  KEYS[1]  idempotency key of the event        KEYS[5]  incidents hash
  KEYS[2]  audit stream                        KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                  KEYS[7]  incident id counter
  KEYS[4]  SKU index zset                      KEYS[8]  order hash
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix
  ARGV[10] orderId   ARGV[11] reason ('' when none)

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_order') |
  'noop' (nothing open: already cancelled under another id, or fully shipped — shipped units left the
  building, bringing them back is a stock.received).

  The order hash is kept (status 'cancelled', open lines 0) for the idempotency window, so a second
  cancel or a late ship of the same order is recognised and harmless.
]]
--- @include "common"
readEventArgs()
local dup = duplicateOf()
if dup then return dup end

local orderKey, orderId = KEYS[8], ARGV[10]
local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt,
  orderId = orderId, reason = ARGV[11] ~= '' and ARGV[11] or nil })
local o = redis.call('HMGET', orderKey, 'lines', 'status')
if not o[1] then
  return refuse(tx, 'unknown_order', 'order ' .. orderId .. ' is not known to the ledger')
end
local skus, open = decodeLines(o[1])
local any = false
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  if open[sku] > 0 then
    any = true
    s.committed = s.committed - open[sku]
    touch(tx, s, open[sku])
    open[sku] = 0
  end
end
if not any then
  return noop(tx, 'order ' .. orderId .. ' has no open units (' .. tostring(o[2]) .. ')')
end
redis.call('HSET', orderKey, 'lines', encodeLines(skus, open), 'status', 'cancelled')
redis.call('EXPIRE', orderKey, math.max(tonumber(C.idemTtlStr), 86400))
return finish(tx)
