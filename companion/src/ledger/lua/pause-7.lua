--[[
  Manual pause / relist of a SKU (every channel shows 0 while paused). Audited as 'stock.paused' or
  'stock.relisted' with a change-feed entry so propagation pushes the new shown quantity.

  KEYS[1]  idempotency key (unused: ARGV[8] is 0)   KEYS[5]  incidents hash
  KEYS[2]  audit stream                             KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream                       KEYS[7]  incident id counter
  KEYS[4]  SKU index zset
  ARGV[1..9]  eventId, type, source, occurredAt, occurredAtMs, nowMs, nowIso, 0, skuKeyPrefix
  ARGV[10] sku   ARGV[11] '1' pause | '0' relist   ARGV[12] reason

  Returns { 'applied' | 'duplicate', auditId, auditEntryJson } (the result is rebuilt from the entry) or
  { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'noop' (already in that state) | 'refused' ('unknown_sku').
  Relisting while an oversell incident is open and available ≤ 0 leaves the oversell pause in place.
]]
--- @include "common"
readEventArgs()
local tx = newTx({ eventId = C.eventId, type = C.type, source = C.source, occurredAt = C.occurredAt, reason = ARGV[12] })
local s = load(tx, ARGV[10])
if not s.exists then
  return refuse(tx, 'unknown_sku', s.sku .. ' is not in the ledger')
end
local want
if ARGV[11] == '1' then
  want = 'manual'
elseif s.incident and available(s) <= 0 then
  want = 'oversell'
else
  want = false
end
if s.paused == want then return noop(tx, s.sku .. ' is already ' .. (want and ('paused (' .. want .. ')') or 'selling')) end
s.paused = want
touch(tx, s)
return finish(tx)
