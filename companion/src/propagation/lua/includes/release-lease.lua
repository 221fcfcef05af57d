-- Pasted into release-4.lua and settle-6.lua: ending (or extending) a job's lease on one SKU.
--[[
  'done'  : the SKU was delivered, dead-lettered or is in sync — drop the lease.
  'retry' : the SKU must be pushed again (stale compare-and-set, per-item transient error,
            throttled call) — drop the lease and put it back in the dirty set with its
            original change time, so lag keeps counting from the first unsynced change.
  'hold'  : the whole call failed transiently and this job will retry after a backoff — keep
            the lease until `holdUntil` so no other job hammers the channel with the same SKUs.
  Only leases still owned by this token are touched (a lease taken over after expiry is not ours).
  dirty, leases, owners, claims: as in lease-claim.lua.
]]
--- @include "owner"

--- Returns true when the SKU is released and dirty now (it needs a job enqueued).
local function releaseLease(dirtyKey, leasesKey, ownersKey, claimsKey, token, sku, action, holdUntil)
  local owner, since = ownerOf(ownersKey, sku)
  if owner ~= token then
    redis.call('SREM', claimsKey, sku)
    return false
  end
  if action == 'hold' then
    -- 'held': nothing of ours is in flight any more, so our retry may take them back at once.
    redis.call('ZADD', leasesKey, holdUntil, sku)
    redis.call('HSET', ownersKey, sku, token .. '\n' .. since .. '\nheld')
    redis.call('PEXPIREAT', claimsKey, holdUntil + 60000)
    return false
  end
  redis.call('ZREM', leasesKey, sku)
  redis.call('HDEL', ownersKey, sku)
  redis.call('SREM', claimsKey, sku)
  if action == 'retry' then redis.call('ZADD', dirtyKey, 'LT', since, sku) end
  return redis.call('ZSCORE', dirtyKey, sku) ~= false
end
