--[[
  Returns SKUs whose lease expired (the job holding it died and was not retried in time) to the
  dirty set with their original change time, so nothing claimed is ever lost.

  KEYS[1] dirty, KEYS[2] leases, KEYS[3] owners (includes/owner.lua)
  ARGV[1] now (ms), ARGV[2] max SKUs per call
  Returns the SKUs put back (each needs a job enqueued).
]]
--- @include "owner"
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, sku in ipairs(expired) do
  local _, since = ownerOf(KEYS[3], sku)
  since = since or now
  redis.call('ZREM', KEYS[2], sku)
  redis.call('HDEL', KEYS[3], sku)
  redis.call('ZADD', KEYS[1], 'LT', since, sku)
end
return expired
