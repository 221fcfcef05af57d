--[[
  order.confirmed: a sale. Converts the order's reservation into committed units, or commits directly.

  KEYS[1..3]  idempotency key, audit stream, change-feed stream (common.lua)
  KEYS[4]  order hash   KEYS[5]  reservation hash (any key of the tenant when none)   KEYS[6]  reservation expiry zset
  KEYS[7]  the source's own-sales hash (propagation's sync:own:<source>): sku → units the selling
           channel already shows gone; counted here, in the same step as the order, so a push
           that reads the ledger never sees the order without its count (propagation/worker.ts)
  ARGV[1..8]  eventId, source, occurredAt, nowMs, nowIso, idempotencyTtlSeconds, skuKeyPrefix, rare keys (common.lua)
  ARGV[9] orderId   ARGV[10] reservationId or ''   ARGV[11] '1' when the source's orders are facts
  (marketplaces), '0' for the store's own (woocommerce, manual), '2' for a store order taken on
  backorder (a fact too; the incident it opens says so)   ARGV[12..] sku, qty pairs

  Returns, when applied, a plain string: the audit entry's JSON (the result is rebuilt from it) or,
  from the fast path (common.lua), '+<version> <onHand> <committed> <reserved>'; otherwise
  { 'duplicate', auditId, auditEntryJson | false } or { 'refused' | 'noop', resultJson }. Kinds: 'applied' (with incidentId when a fact oversold) | 'duplicate' |
  'noop' (every line of this order is already recorded, or the order was cancelled) | 'refused' ('insufficient_stock', or 'unknown_sku' when only never-seen SKUs are short; store sources only).

  - The reservation's whole hold is dropped and the order's lines committed, so an order whose lines
    differ from its cart is still exact.
  - A reservationId that is no longer held (expired and swept, released) is not an error: the order
    commits directly under the same availability rule. The sweeper already gave the hold back, so the
    units are counted once, never twice.
  - Store orders (woocommerce, manual) are refused when they would make available negative.
    Marketplace orders already happened: always recorded; a SKU left below 0 opens (or grows) an
    oversell incident and is paused until stock returns.
  - Orders arriving per line under different event ids (Amazon sends one per SKU) are merged into the
    order; a line for a SKU the order already has is a redelivery and is skipped.
]]
--- @include "common"
local dup = duplicateOf()
if dup then return dup end

local orderKey, resKey, expiryKey, ownKey = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local orderId, reservationId, isFact = ARGV[9], ARGV[10], ARGV[11] ~= '0'
local o = call('HMGET', orderKey, 'lines', 'total', 'status')

-- Fast path (common.lua): a new order of one line, without a reservation, on a plain SKU with
-- enough stock (so neither refused nor oversold, whatever the source).
local seen
if reservationId == '' and not o[1] and not o[2] and not o[3] and #ARGV == 13 then
  local sku, qtyText = ARGV[12], ARGV[13]
  local key, v = readSku(sku)
  if plain(v) and v[1] - v[2] - v[3] >= qtyText + 0 then
    local js = jstr(sku)
    local lines = '[[' .. js .. ',' .. qtyText .. ']]'
    call('HSET', orderKey, 'lines', lines, 'total', lines, 'status', 'open', 'source', source)
    call('HINCRBY', ownKey, sku, qtyText)
    return fastFinish('order.confirmed', js, key, v, qtyText, 'committed', v[2] + qtyText, nil,
      ',"orderId":"' .. orderId .. '"')
  end
  seen = { sku, key, v }
end

local tx = newTx('order.confirmed')
tx.orderId = orderId
if ARGV[11] == '2' then tx.backorder = true end
if reservationId ~= '' then tx.reservationId = reservationId end
if seen then cacheSku(tx, seen[1], seen[2], seen[3]) end
local askedSkus, qty = readLines(12)
if o[3] == 'cancelled' then
  for _, sku in ipairs(askedSkus) do load(tx, sku) end
  return rare().noop(tx, 'order ' .. orderId .. ' was cancelled; a cancelled order is not confirmed again')
end
local openSkus, openQty = decodeLines(o[1])
local totalSkus, totalQty = decodeLines(o[2])
local skus = {}
for _, sku in ipairs(askedSkus) do
  if not totalQty[sku] then skus[#skus + 1] = sku end
end
if #skus == 0 then
  for _, sku in ipairs(askedSkus) do load(tx, sku) end
  return rare().noop(tx, 'order ' .. orderId .. ' is already recorded')
end

local holdSkus, holdQty = {}, {}
if reservationId ~= '' then holdSkus, holdQty = decodeLines(call('HGET', resKey, 'lines')) end

if not isFact then
  local shortages = shortagesOf(tx, skus, qty, holdQty)
  if shortages then
    return rare().short(tx, shortages, 'confirm')
  end
end

-- What each SKU had available before this order, its own hold still counted: a converted hold
-- oversells nothing it had not already taken (a trial's Amazon order, held while Pending, then
-- confirmed after a Flipkart sale had taken the SKU to -1, was counted as a second unit oversold).
local before = {}
if isFact then
  for _, sku in ipairs(skus) do before[sku] = available(load(tx, sku)) end
end
if #holdSkus > 0 then
  dropHold(tx, holdSkus, holdQty)
  call('DEL', resKey)
  call('ZREM', expiryKey, reservationId)
end
for _, sku in ipairs(skus) do
  local s = load(tx, sku)
  s.committed = s.committed + qty[sku]
  touch(tx, s, qty[sku])
  local after = available(s)
  -- Only an order that took units the SKU did not have is an oversell (and listed in its incident).
  local oversold = isFact and math.max(0, -after) - math.max(0, -before[sku]) or 0
  if oversold > 0 then
    rare().openIncident(tx, s, orderId, qty[sku], oversold)
  end
  call('HINCRBY', ownKey, sku, qty[sku])
  openSkus[#openSkus + 1] = sku
  openQty[sku] = qty[sku]
  totalSkus[#totalSkus + 1] = sku
  totalQty[sku] = qty[sku]
end
call('HSET', orderKey, 'lines', encodeLines(openSkus, openQty), 'total', encodeLines(totalSkus, totalQty),
  'status', 'open', 'source', source)
-- A fully shipped order was set to expire; a late line reopens it.
if o[3] == 'shipped' then call('PERSIST', orderKey) end
return finish(tx)
