--[[
  stock.received: goods arrived — onHand grows by qty.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] occurredAt (ms)   ARGV[10] sku   ARGV[11] qty

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('stale_event': it happened before
  the SKU's last absolute count, which already includes it).
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local tx = newTx('stock.received')
local s = load(tx, ARGV[10], true)
local occurredMs = tonumber(ARGV[9])
if lastSetAt(s) and occurredMs < lastSetAt(s) then
  return rare().refuse(tx, 'stale_event', 'this receipt happened before the last stock count of ' .. s.sku .. ', which already includes it',
    { lastSetAt = lastSetAt(s) })
end
local q = tonumber(ARGV[11])
s.onHand = s.onHand + q
touch(tx, s, q)
return finish(tx)
