--[[
  stock.reserved: hold units for a cart/checkout, all lines or none, until ttlSeconds pass.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]     reservation hash                 KEYS[5]  reservation expiry zset
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] reservationId   ARGV[10] expiresAt (ms: now + ttlSeconds)   ARGV[11..] sku, qty pairs

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('insufficient_stock' with
  details.shortages [{sku, requested, available}]; 'unknown_sku' with details.skus when every short
  line is a SKU the ledger has never seen).

  Re-reserving a live reservation id (the cart changed) replaces its lines atomically: the old hold
  is counted as free when judging the new one.
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local resKey, expiryKey, reservationId, expiresAt = KEYS[4], KEYS[5], ARGV[9], ARGV[10]
local old = call('HGET', resKey, 'lines')

-- Fast path (common.lua): a new hold of one line on a plain SKU with enough stock.
local seen
if not old and #ARGV == 12 then
  local sku, qtyText = ARGV[11], ARGV[12]
  local key, v = readSku(sku)
  if plain(v) and v[1] - v[2] - v[3] >= qtyText + 0 then
    local js = jstr(sku)
    call('HSET', resKey, 'lines', '[[' .. js .. ',' .. qtyText .. ']]', 'expiresAt', expiresAt, 'source', source)
    call('ZADD', expiryKey, expiresAt, reservationId)
    return fastFinish('stock.reserved', js, key, v, qtyText, 'reserved', v[3] + qtyText, nil,
      ',"reservationId":"' .. reservationId .. '"')
  end
  seen = { sku, key, v }
end

local tx = newTx('stock.reserved')
tx.reservationId = reservationId
if seen then cacheSku(tx, seen[1], seen[2], seen[3]) end
local skus, qty = readLines(11)
local oldSkus, oldQty = decodeLines(old)

local shortages = shortagesOf(tx, skus, qty, oldQty)
if shortages then
  return rare().short(tx, shortages, 'reserve')
end

if old then dropHold(tx, oldSkus, oldQty) end
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  s.reserved = s.reserved + qty[sku]
  touch(tx, s, qty[sku])
end
call('HSET', resKey, 'lines', encodeLines(skus, qty), 'expiresAt', expiresAt, 'source', source)
call('ZADD', expiryKey, expiresAt, reservationId)
return finish(tx)
