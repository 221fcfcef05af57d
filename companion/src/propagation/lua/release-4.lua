--[[
  Ends (or extends) this job's leases after a push call.
  'done'  : the SKU was delivered, dead-lettered or is in sync — drop the lease.
  'retry' : the SKU must be pushed again (stale compare-and-set, per-item transient error,
            throttled call) — drop the lease and put it back in the dirty set with its
            original change time, so lag keeps counting from the first unsynced change.
  'hold'  : the whole call failed transiently and this job will retry after a backoff — keep
            the lease until `extra` so no other job hammers the channel with the same SKUs.
  Only leases still owned by this token are touched (a lease taken over after expiry is not ours).

  KEYS[1] dirty, KEYS[2] leases, KEYS[3] owners, KEYS[4] claims (of this token)
  ARGV[1] token, then triples: sku, action, extra (lease expiry ms for 'hold', else '')
  Returns the released SKUs that are dirty now (each needs a job enqueued).
]]
local token = ARGV[1]
local dirty = {}
for i = 2, #ARGV, 3 do
  local sku, action, extra = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local v = redis.call('HGET', KEYS[3], sku)
  local owner, since = nil, nil
  if v then
    local nl = string.find(v, '\n', 1, true)
    owner = string.sub(v, 1, nl - 1)
    local rest = string.sub(v, nl + 1)
    local nl2 = string.find(rest, '\n', 1, true)
    since = tonumber(nl2 and string.sub(rest, 1, nl2 - 1) or rest)
  end
  if owner == token then
    if action == 'hold' then
      -- 'held': nothing of ours is in flight any more, so our retry may take them back at once.
      redis.call('ZADD', KEYS[2], tonumber(extra), sku)
      redis.call('HSET', KEYS[3], sku, token .. '\n' .. since .. '\nheld')
      redis.call('PEXPIREAT', KEYS[4], tonumber(extra) + 60000)
    else
      redis.call('ZREM', KEYS[2], sku)
      redis.call('HDEL', KEYS[3], sku)
      redis.call('SREM', KEYS[4], sku)
      if action == 'retry' then
        redis.call('ZADD', KEYS[1], 'LT', since, sku)
      end
      if redis.call('ZSCORE', KEYS[1], sku) then dirty[#dirty + 1] = sku end
    end
  else
    redis.call('SREM', KEYS[4], sku)
  end
end
return dirty
