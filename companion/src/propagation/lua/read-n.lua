--[[
  Everything a push job needs to know about the SKUs it has just claimed, in one call and one
  consistent snapshot: the ledger's state, what the channel last acknowledged, the channel's own
  sales recorded since, and the rules that shape the quantity shown. (Read separately, these
  were N + 3 commands per job: the client-side cost of a command, not Redis, dominated.)
  Reads only; run after claim-4.lua has fenced the SKUs, so nothing older can be in flight.

  KEYS[1] acked  hash sku -> JSON { q, v, at, sv? }
  KEYS[2] own    hash sku -> units the channel sold itself since our last answered push
  KEYS[3] rules  hash 'channel:<ch>' | 'sku:*:<sku>' | 'sku:<ch>:<sku>' -> JSON rule
  KEYS[4..] the ledger's SKU hashes, in the order of ARGV[2..]
  ARGV[1] channel, ARGV[2..] SKUs
  Returns flat { channelRule, then per SKU: onHand, committed, reserved, version, updatedAt,
  paused, acked, own, ruleForAllChannels, ruleForThisChannel } (missing values are nil).
]]
local channel = ARGV[1]
local out = { redis.call('HGET', KEYS[3], 'channel:' .. channel) }
for i = 2, #ARGV do
  local sku = ARGV[i]
  local s = redis.call('HMGET', KEYS[i + 2], 'onHand', 'committed', 'reserved', 'version', 'updatedAt', 'paused')
  for j = 1, 6 do out[#out + 1] = s[j] end
  out[#out + 1] = redis.call('HGET', KEYS[1], sku)
  out[#out + 1] = redis.call('HGET', KEYS[2], sku)
  local r = redis.call('HMGET', KEYS[3], 'sku:*:' .. sku, 'sku:' .. channel .. ':' .. sku)
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
end
return out
