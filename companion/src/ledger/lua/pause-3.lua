--[[
  Manual pause / relist of a SKU (every channel shows 0 while paused). Audited as 'stock.paused' or
  'stock.relisted' with a change-feed entry so propagation pushes the new shown quantity.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] 'stock.paused' | 'stock.relisted'   ARGV[10] sku   ARGV[11] '1' pause | '0' relist   ARGV[12] reason

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'noop' (already in that state) | 'refused' ('unknown_sku').
  Relisting while an oversell incident is open and available ≤ 0 leaves the oversell pause in place.
]]
--- @include "common"
local tx = newTx(ARGV[9])
tx.reason = ARGV[12]
local s = load(tx, ARGV[10])
if not s.exists then
  return rare().refuse(tx, 'unknown_sku', s.sku .. ' is not in the ledger')
end
local want
if ARGV[11] == '1' then
  want = 'manual'
elseif s.incident and available(s) <= 0 then
  want = 'oversell'
else
  want = false
end
if s.paused == want then return rare().noop(tx, s.sku .. ' is already ' .. (want and ('paused (' .. want .. ')') or 'selling')) end
s.paused = want
touch(tx, s)
return finish(tx)
