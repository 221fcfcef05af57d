--[[
  stock.adjusted: a count correction — absolute (`set`) or relative (`delta`).

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] occurredAt (ms)   ARGV[10] sku   ARGV[11] 'set' | 'delta'   ARGV[12] value   ARGV[13] expectedVersion or ''   ARGV[14] reason

  Returns the audit entry's JSON when applied (a plain string; the result is rebuilt from it), or
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('stale_event' when occurredAt is
  older than the SKU's last absolute set; 'version_conflict' when expectedVersion ≠ version).

  A set records lastSetAt = occurredAt: later-arriving events that happened before this count are
  already part of it and are refused as stale (receipts and adjustments; orders and holds are
  bookkeeping of committed/reserved, which a count of onHand does not cover, so they are not).
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local tx = newTx('stock.adjusted')
tx.reason = ARGV[14]
local s = load(tx, ARGV[10], true)
local occurredMs = tonumber(ARGV[9])
if lastSetAt(s) and occurredMs < lastSetAt(s) then
  return rare().refuse(tx, 'stale_event', 'this adjustment happened before the last stock count of ' .. s.sku,
    { lastSetAt = lastSetAt(s) })
end
if ARGV[13] ~= '' and tonumber(ARGV[13]) ~= s.version then
  return rare().refuse(tx, 'version_conflict', s.sku .. ' is at version ' .. s.version .. ', not ' .. ARGV[13],
    { expectedVersion = tonumber(ARGV[13]), version = s.version })
end
local v = tonumber(ARGV[12])
if ARGV[11] == 'set' then
  touch(tx, s, v - s.onHand)
  s.onHand = v
  s.setAt = occurredMs
else
  s.onHand = s.onHand + v
  touch(tx, s, v)
end
return finish(tx)
