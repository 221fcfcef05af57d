--[[
  Expiry sweep: releases every hold whose expiresAt ≤ now, each as its own audited 'stock.released'
  (source 'system', reason 'expired') with its own change-feed entry.

  KEYS[1]  reservation expiry zset   KEYS[2]  audit stream   KEYS[3]  change-feed stream
  ARGV[1..8]  common.lua's layout with eventId '' (each release gets its own), source 'system',
              occurredAt = nowIso and idempotencyTtlSeconds '0' (the sweep keeps no idempotency record)
  ARGV[9] reservation key prefix (keys.reservation(tenant, ''))   ARGV[10] most holds to release in this call

  Returns { released, examined }: holds released, expiry entries taken (a full batch means call again).

  Safe with any number of sweepers: a hold leaves the expiry set in the same atomic step that gives
  its units back, so a second sweeper (or a confirm/release racing it) finds nothing to release twice.
  Reservation keys are derived from ARGV[9]: same {tenant} slot.
]]
--- @include "common"
local expiryKey, resPrefix = KEYS[1], ARGV[9]

local due = call('ZRANGEBYSCORE', expiryKey, '-inf', nowMsStr, 'LIMIT', 0, tonumber(ARGV[10]))
local released = 0
for _, reservationId in ipairs(due) do
  local resKey = resPrefix .. reservationId
  local r = call('HMGET', resKey, 'lines', 'expiresAt')
  call('ZREM', expiryKey, reservationId)
  if r[1] then
    local tx = newTx('stock.released', 'expire:' .. reservationId .. ':' .. r[2], 'system', nowIso)
    tx.reservationId, tx.reason = reservationId, 'expired'
    local skus, qty = decodeLines(r[1])
    dropHold(tx, skus, qty)
    for _, sku in ipairs(skus) do tx.cache[sku].qty = qty[sku] end
    call('DEL', resKey)
    finish(tx)
    released = released + 1
  end
end
return { released, #due }
