--[[
  Returns SKUs whose lease expired (the job holding it died and was not retried in time) to the
  dirty set with their original change time, so nothing claimed is ever lost.

  KEYS[1] dirty, KEYS[2] leases, KEYS[3] owners
  ARGV[1] now (ms), ARGV[2] max SKUs per call
  Returns the SKUs put back (each needs a job enqueued).
]]
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, sku in ipairs(expired) do
  local v = redis.call('HGET', KEYS[3], sku)
  local since = now
  if v then
    local nl = string.find(v, '\n', 1, true)
    local rest = string.sub(v, nl + 1)
    local nl2 = string.find(rest, '\n', 1, true)
    since = tonumber(nl2 and string.sub(rest, 1, nl2 - 1) or rest)
  end
  redis.call('ZREM', KEYS[2], sku)
  redis.call('HDEL', KEYS[3], sku)
  redis.call('ZADD', KEYS[1], 'LT', since, sku)
end
return expired
