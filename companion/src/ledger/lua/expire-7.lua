--[[
  Expiry sweep: releases every hold whose expiresAt ≤ now, each as its own audited 'stock.released'
  (source 'system', reason 'expired') with its own change-feed entry.

  KEYS[1]  reservation expiry zset     KEYS[5]  incidents hash
  KEYS[2]  audit stream                KEYS[6]  open incidents zset
  KEYS[3]  change-feed stream          KEYS[7]  incident id counter
  KEYS[4]  SKU index zset
  ARGV[1] nowMs   ARGV[2] nowIso   ARGV[3] skuKeyPrefix   ARGV[4] reservationKeyPrefix   ARGV[5] max holds per call

  Returns { released, examined }: holds released, expiry entries taken (a full batch means call again).

  Safe with any number of sweepers: a hold leaves the expiry set in the same atomic step that gives
  its units back, so a second sweeper (or a confirm/release racing it) finds nothing to release twice.
  Reservation keys are derived from ARGV[4] (keys.reservation(tenant, '')): same {tenant} slot.
]]
--- @include "common"
C.audit, C.changes, C.skuIndex = KEYS[2], KEYS[3], KEYS[4]
C.incidents, C.openIncidents, C.incidentSeq = KEYS[5], KEYS[6], KEYS[7]
C.nowMsStr, C.nowIso, C.nowMs = ARGV[1], ARGV[2], tonumber(ARGV[1])
C.skuPrefix, C.idem = ARGV[3], false
local resPrefix = ARGV[4]

local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', C.nowMs, 'LIMIT', 0, tonumber(ARGV[5]))
local released = 0
for _, reservationId in ipairs(due) do
  local resKey = resPrefix .. reservationId
  local r = redis.call('HMGET', resKey, 'lines', 'expiresAt')
  redis.call('ZREM', KEYS[1], reservationId)
  if r[1] then
    local tx = newTx({ eventId = 'expire:' .. reservationId .. ':' .. r[2], type = 'stock.released', source = 'system',
      occurredAt = C.nowIso, reservationId = reservationId, reason = 'expired' })
    local skus, qty = decodeLines(r[1])
    dropHold(tx, skus, qty)
    for _, sku in ipairs(skus) do tx.cache[sku].qty = qty[sku] end
    redis.call('DEL', resKey)
    finish(tx)
    released = released + 1
  end
end
return { released, #due }
