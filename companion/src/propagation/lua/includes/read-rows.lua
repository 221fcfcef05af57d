-- Pasted into claim-10.lua: what a push needs to know about one claimed SKU.
--[[
  acked  hash sku -> JSON { q, v, at, sv? }: what the channel last acknowledged
  own    hash sku -> units the channel sold itself since our last answered push
  rules  hash 'channel:<ch>' | 'sku:*:<sku>' | 'sku:<ch>:<sku>' -> JSON rule
  pace   hash sku | sku .. '\n' .. channel -> "rate at" (pace-1.lua)
  dead   hash deadLetterId(channel, sku) -> JSON letter (base64url.lua names it)
  skuKey the ledger's hash of the SKU
]]

--- Appends the SKU's row to `out`: onHand, committed, reserved, version, updatedAt, paused
--- (ledger/reads.ts STATE_FIELDS), acked, own, ruleForAllChannels, ruleForThisChannel,
--- paceAll, paceHere, the channel's dead letter for it (missing values become false, i.e. nil
--- in the reply).
local function appendRow(out, skuKey, ackedKey, ownKey, rulesKey, paceKey, deadKey, channel, sku)
  local n = #out
  local s = redis.call('HMGET', skuKey, 'onHand', 'committed', 'reserved', 'version', 'updatedAt', 'paused')
  for j = 1, 6 do out[n + j] = s[j] end
  out[n + 7] = redis.call('HGET', ackedKey, sku)
  out[n + 8] = redis.call('HGET', ownKey, sku)
  local r = redis.call('HMGET', rulesKey, 'sku:*:' .. sku, 'sku:' .. channel .. ':' .. sku)
  out[n + 9] = r[1]
  out[n + 10] = r[2]
  local p = redis.call('HMGET', paceKey, sku, sku .. '\n' .. channel)
  out[n + 11] = p[1]
  out[n + 12] = p[2]
  out[n + 13] = redis.call('HGET', deadKey, base64url(channel .. '\n' .. sku))
end
