--[[
  stock.shipped: units leave the building — onHand and committed both drop.

  KEYS[1]  idempotency key of the event        KEYS[5]  incidents hash
  KEYS[2]  audit stream                        KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                  KEYS[7]  incident id counter
  KEYS[4]  SKU index zset                      KEYS[8]  order hash
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix
  ARGV[10] orderId   ARGV[11] n lines (0 = every open line)   ARGV[12..] sku, qty pairs

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_order') |
  'noop' (nothing left open to ship: already shipped or cancelled).

  Given lines ship at most what the order still has open for that SKU; SKUs the order does not hold
  are ignored, so a repeated or partial shipment notice can never ship more than was sold.
]]
--- @include "common"
readEventArgs()
local dup = duplicateOf()
if dup then return dup end

local orderKey, orderId = KEYS[8], ARGV[10]
local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt, orderId = orderId })
local o = redis.call('HMGET', orderKey, 'lines', 'status')
if not o[1] then
  return refuse(tx, 'unknown_order', 'order ' .. orderId .. ' is not known to the ledger')
end
local skus, open = decodeLines(o[1])
local n = tonumber(ARGV[11])
local want = open
if n > 0 then
  local _, asked = readLines(12, n)
  want = asked
end
local any, left = false, false
for _, sku in ipairs(skus) do
  local q = math.min(want[sku] or 0, open[sku])
  local s = load(tx, sku)
  if q > 0 then
    any = true
    s.onHand = s.onHand - q
    s.committed = s.committed - q
    touch(tx, s, q)
    open[sku] = open[sku] - q
  end
  if open[sku] > 0 then left = true end
end
if not any then
  return noop(tx, 'order ' .. orderId .. ' has nothing open to ship (' .. tostring(o[2]) .. ')')
end
redis.call('HSET', orderKey, 'lines', encodeLines(skus, open), 'status', left and 'open' or 'shipped')
if not left then redis.call('EXPIRE', orderKey, math.max(tonumber(C.idemTtlStr), 86400)) end
return finish(tx)
