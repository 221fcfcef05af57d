--[[
  stock.adjusted: a count correction — absolute (`set`) or relative (`delta`).

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] occurredAt (ms)   ARGV[10] sku   ARGV[11] 'set' | 'available' | 'delta'   ARGV[12] value
  ARGV[13] expectedVersion or ''   ARGV[14] reason
  'available' is a set of what is free to sell: onHand becomes value + committed + reserved.

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' | 'duplicate' | 'refused' ('stale_event' when occurredAt is
  older than the SKU's last absolute set; 'version_conflict' when expectedVersion ≠ version;
  'insufficient_stock' when a delta would take onHand below 0, with details.shortages; 'unknown_sku'
  for a negative delta on a SKU the ledger has never seen).

  An adjustment with reason 'import' (the plugin's catalogue import) marks its change-feed entry
  `bulk 1` (common.lua): propagation pushes it behind real changes.

  A set records lastSetAt = occurredAt and lastSetOf = what it counted ('onHand' | 'available'; a
  late shipment reads it, ship-4.lua): later-arriving events that happened before this count are
  already part of it and are refused as stale (receipts and adjustments; orders and holds are
  bookkeeping of committed/reserved, which a count of onHand does not cover, so they are not).
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local sku, occurredMs, expected = ARGV[10], ARGV[9] + 0, ARGV[13]
bulk = ARGV[14] == 'import'
local key, v = readSku(sku, true)

-- Fast path (common.lua): a plain SKU, not stale, at the expected version (if one was given), and
-- a delta that leaves units on hand.
if plain(v) and not (v[7] and v[7] ~= '' and occurredMs < v[7] + 0) and (expected == '' or expected + 0 == v[4] + 0)
  and (ARGV[11] ~= 'delta' or v[1] + ARGV[12] >= 0) then
  local js, n, reason = jstr(sku), ARGV[12] + 0, ',"reason":' .. jstr(ARGV[14])
  if ARGV[11] == 'available' then n = n + v[2] + v[3] end
  if ARGV[11] ~= 'delta' then
    return fastFinish('stock.adjusted', js, key, v, fmt('%d', n - v[1]), 'onHand', n, ARGV[9], reason,
      ARGV[11] == 'available' and 'available' or 'onHand')
  end
  return fastFinish('stock.adjusted', js, key, v, ARGV[12], 'onHand', v[1] + n, nil, reason)
end

local tx = newTx('stock.adjusted')
tx.reason = ARGV[14]
local s = cacheSku(tx, sku, key, v)
if lastSetAt(s) and occurredMs < lastSetAt(s) then
  return rare().refuse(tx, 'stale_event', 'this adjustment happened before the last stock count of ' .. s.sku,
    { lastSetAt = lastSetAt(s) })
end
if ARGV[13] ~= '' and tonumber(ARGV[13]) ~= s.version then
  return rare().refuse(tx, 'version_conflict', s.sku .. ' is at version ' .. s.version .. ', not ' .. ARGV[13],
    { expectedVersion = tonumber(ARGV[13]), version = s.version })
end
local n = tonumber(ARGV[12])
if ARGV[11] == 'available' then n = n + s.committed + s.reserved end
if ARGV[11] == 'delta' and n < 0 and not s.exists then
  return rare().refuse(tx, 'unknown_sku', 'the ledger has no SKU ' .. s.sku .. ' to take units off: send stock.received or stock.adjusted with set to create it',
    { skus = { s.sku } })
end
if ARGV[11] == 'delta' and s.onHand + n < 0 then
  -- Fewer than no units cannot be on hand: the change is a mistake or the count has drifted.
  return rare().refuse(tx, 'insufficient_stock', s.sku .. ' has ' .. s.onHand .. ' on hand; taking ' .. -n ..
    ' off would leave fewer than none. Record a count with set, or take off at most ' .. math.max(s.onHand, 0),
    { shortages = { { sku = s.sku, requested = -n, available = math.max(s.onHand, 0) } } })
end
if ARGV[11] ~= 'delta' then
  touch(tx, s, n - s.onHand)
  s.onHand = n
  s.setAt = occurredMs
  s.setOf = ARGV[11] == 'available' and 'available' or 'onHand'
else
  s.onHand = s.onHand + n
  touch(tx, s, n)
end
return finish(tx)
