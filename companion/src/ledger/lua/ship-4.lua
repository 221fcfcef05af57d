--[[
  stock.shipped: units leave the building — onHand and committed both drop.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]     order hash
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] orderId   ARGV[10..] sku, qty pairs (none: ship everything still open)

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_order') |
  'noop' (nothing left open to ship: already shipped or cancelled).

  Given lines ship at most what the order still has open for that SKU; SKUs the order does not hold
  are ignored, so a repeated or partial shipment notice can never ship more than was sold.
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local orderKey, orderId = KEYS[4], ARGV[9]
local tx = newTx('stock.shipped')
tx.orderId = orderId
local o, refusal = knownOrder(tx, orderKey, orderId)
if not o then return refusal end
local skus, open = decodeLines(o[1])
local want = open
if #ARGV >= 10 then
  local _, asked = readLines(10)
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
  return rare().noop(tx, 'order ' .. orderId .. ' has nothing open to ship (' .. tostring(o[2]) .. ')')
end
call('HSET', orderKey, 'lines', encodeLines(skus, open), 'status', left and 'open' or 'shipped')
if not left then call('EXPIRE', orderKey, math.max(tonumber(idemTtlStr), 86400)) end
return finish(tx)
