--[[
  stock.received: goods arrived — onHand grows by qty.

  KEYS[1]  idempotency key of the event        KEYS[5]  incidents hash
  KEYS[2]  audit stream                        KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                  KEYS[7]  incident id counter
  KEYS[4]  SKU index zset
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix
  ARGV[10] sku   ARGV[11] qty

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('stale_event': it happened before
  the SKU's last absolute count, which already includes it).
]]
--- @include "common"
readEventArgs()
local dup = duplicateOf()
if dup then return dup end

local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt })
local s = load(tx, ARGV[10])
local occurredMs = tonumber(C.occurredMsStr)
if lastSetAt(s) and occurredMs < lastSetAt(s) then
  return refuse(tx, 'stale_event', 'this receipt happened before the last stock count of ' .. s.sku .. ', which already includes it',
    { lastSetAt = lastSetAt(s) })
end
local q = tonumber(ARGV[11])
s.onHand = s.onHand + q
touch(tx, s, q)
return finish(tx)
