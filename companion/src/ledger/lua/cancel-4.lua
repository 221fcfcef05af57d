--[[
  order.cancelled: the order's still-committed (unshipped) units go back to available.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]     order hash
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] orderId   ARGV[10] reason or ''

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_order') |
  'noop' (nothing open: already cancelled under another id, or fully shipped — shipped units left the
  building, bringing them back is a stock.received).

  An order listed in the SKU's open oversell incident is marked `cancelled` there; the incident
  resolves once available is back to 0 or more (common.lua).

  The order hash is kept (status 'cancelled', open lines 0) for the idempotency window, so a second
  cancel or a late ship of the same order is recognised and harmless.
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local orderKey, orderId = KEYS[4], ARGV[9]
local tx = newTx('order.cancelled')
tx.orderId = orderId
if ARGV[10] ~= '' then tx.reason = ARGV[10] end
local o, refusal = knownOrder(tx, orderKey, orderId)
if not o then return refusal end
local skus, open = decodeLines(o[1])
local any = false
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  if open[sku] > 0 then
    any = true
    s.committed = s.committed - open[sku]
    touch(tx, s, open[sku])
    open[sku] = 0
    -- An order the SKU's open oversell incident lists is marked there: a merchant reading it must
    -- not cancel an order that is cancelled already.
    if s.incident then rare().orderCancelled(s, orderId) end
  end
end
if not any then
  return rare().noop(tx, 'order ' .. orderId .. ' has no open units (' .. tostring(o[2]) .. ')')
end
call('HSET', orderKey, 'lines', encodeLines(skus, open), 'status', 'cancelled')
call('EXPIRE', orderKey, math.max(tonumber(idemTtlStr), 86400))
return finish(tx)
