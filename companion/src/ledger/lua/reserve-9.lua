--[[
  stock.reserved: hold units for a cart/checkout, all lines or none, until ttlSeconds pass.

  KEYS[1]  idempotency key of the event        KEYS[5]  incidents hash
  KEYS[2]  audit stream                        KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                  KEYS[7]  incident id counter
  KEYS[4]  SKU index zset                      KEYS[8]  reservation hash
                                               KEYS[9]  reservation expiry zset
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix
  ARGV[10] reservationId   ARGV[11] expiresAt (ms: now + ttlSeconds)   ARGV[12] n lines   ARGV[13..] sku, qty pairs

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('insufficient_stock' with
  details.shortages [{sku, requested, available}]).

  Re-reserving a live reservation id (the cart changed) replaces its lines atomically: the old hold
  is counted as free when judging the new one.
]]
--- @include "common"
readEventArgs()
local dup = duplicateOf()
if dup then return dup end

local resKey, expiryKey, reservationId = KEYS[8], KEYS[9], ARGV[10]
local expiresAt = ARGV[11]
local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt, reservationId = reservationId })
local skus, qty = readLines(13, tonumber(ARGV[12]))
local oldSkus, oldQty = decodeLines(redis.call('HGET', resKey, 'lines'))

local shortages = {}
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  local avail = available(s) + (oldQty[sku] or 0)
  if avail < qty[sku] then
    shortages[#shortages + 1] = { sku = sku, requested = qty[sku], available = math.max(avail, 0) }
  end
end
if #shortages > 0 then
  return refuse(tx, 'insufficient_stock', 'not enough stock to reserve every line', { shortages = shortages })
end

dropHold(tx, oldSkus, oldQty)
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  s.reserved = s.reserved + qty[sku]
  touch(tx, s, qty[sku])
end
redis.call('HSET', resKey, 'lines', encodeLines(skus, qty), 'expiresAt', expiresAt, 'source', C.source)
redis.call('ZADD', expiryKey, expiresAt, reservationId)
return finish(tx)
