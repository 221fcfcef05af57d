--[[
  stock.shipped: units leave the building — onHand and committed both drop.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]     order hash
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] orderId   ARGV[10] occurredAt (ms)   ARGV[11..] sku, qty pairs (none: ship everything still open)

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('unknown_order') |
  'noop' (nothing left open to ship: already shipped or cancelled).

  Given lines ship at most what the order still has open for that SKU; SKUs the order does not hold
  are ignored, so a repeated or partial shipment notice can never ship more than was sold. The
  entry's reason says when a line was capped, and a no-op names what is still open.

  A shipment that happened before the SKU's last count of onHand (lastSetAt, lastSetOf 'onHand') is
  already out of that count: it closes the order's line (committed drops) but leaves onHand as
  counted, and the entry's reason names the SKUs so. Refusing it as stale instead would leave the
  units committed forever. A count of what is available (basis 'available', as the plugin sends
  WooCommerce's number) left the order's units in committed, so the shipment takes them off as usual.
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local orderKey, orderId, occurredMs = KEYS[4], ARGV[9], ARGV[10] + 0
local tx = newTx('stock.shipped')
tx.orderId = orderId
local o, refusal = knownOrder(tx, orderKey, orderId)
if not o then return refusal end
local skus, open = decodeLines(o[1])
local want = open
if #ARGV >= 11 then
  local _, asked = readLines(11)
  want = asked
end
local any, left, counted, capped = false, false, nil, nil
for _, sku in ipairs(skus) do
  local q = math.min(want[sku] or 0, open[sku])
  if want ~= open and (want[sku] or 0) > q then
    capped = capped or {}
    capped[#capped + 1] = sku .. ' ' .. fmt('%d', want[sku]) .. ' asked, ' .. fmt('%d', open[sku]) .. ' open'
  end
  local s = load(tx, sku, true)
  if q > 0 then
    any = true
    if lastSetAt(s) and occurredMs < lastSetAt(s) and call('HGET', s.key, 'lastSetOf') == 'onHand' then
      counted = counted or {}
      counted[#counted + 1] = sku
    else
      s.onHand = s.onHand - q
    end
    s.committed = s.committed - q
    touch(tx, s, q)
    open[sku] = open[sku] - q
  end
  if open[sku] > 0 then left = true end
end
if not any then
  if want ~= open and left then
    -- The lines name nothing the order still has open, though it has other lines open.
    local still = {}
    for _, sku in ipairs(skus) do
      if open[sku] > 0 then still[#still + 1] = sku .. ' ×' .. fmt('%d', open[sku]) end
    end
    return rare().noop(tx, 'order ' .. orderId .. ' has nothing open to ship for the SKUs given; still open: ' .. table.concat(still, ', '))
  end
  return rare().noop(tx, 'order ' .. orderId .. ' has nothing open to ship (' .. tostring(o[2]) .. ')')
end
local reasons = {}
if capped then reasons[#reasons + 1] = 'shipped only what the order still had open (' .. table.concat(capped, '; ') .. ')' end
if counted then reasons[#reasons + 1] = 'shipped before the last stock count of ' .. table.concat(counted, ', ') .. ', which left these units out of onHand already' end
if #reasons > 0 then tx.reason = table.concat(reasons, '; ') end
call('HSET', orderKey, 'lines', encodeLines(skus, open), 'status', left and 'open' or 'shipped')
if not left then call('EXPIRE', orderKey, math.max(tonumber(idemTtlStr), 86400)) end
return finish(tx)
