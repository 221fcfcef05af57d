-- Pasted into claim-10.lua: leasing dirty SKUs of one (tenant, channel) for one job.
--[[
  A lease is the per-(channel, sku) fence: while a job holds it, no other job pushes that SKU,
  so a value computed from an older ledger version can never land after a newer one.
  Claims of a previous attempt of the same job are taken back first, so a retried job finishes
  what it started — at once after a transient failure (release-4 'hold' marked them held), but
  after a crash only once the lease has expired: the dead worker's request may still land, and
  nothing newer may be sent before it can no longer land.

  dirty   zset sku -> earliest unsynced change time (ms), deferred for likely confirmations
          (includes/deferred.lua)
  leases  zset sku -> lease expiry (ms)
  owners  hash sku -> lease owner (includes/owner.lua)
  claims  set of SKUs held by this token (job id)
]]
--- @include "owner"
--- @include "deferred"

--- Leases up to `limit` SKUs: this job's earlier claims, then `preferred`, then the oldest dirty.
--- Returns the SKUs and their change times (parallel lists) and whether dirty SKUs are left over
--- a full batch (the caller enqueues a follow-up so the channel keeps draining).
local function leaseDirty(dirtyKey, leasesKey, ownersKey, claimsKey, token, now, leaseMs, limit, preferred)
  local untilMs = now + leaseMs
  local skus, sinces, taken = {}, {}, {}
  local count = 0

  -- 1. What this job held before (retry after failure or crash).
  for _, sku in ipairs(redis.call('SMEMBERS', claimsKey)) do
    local owner, since, held = ownerOf(ownersKey, sku)
    local leaseUntil = tonumber(redis.call('ZSCORE', leasesKey, sku) or '0')
    if owner == token and (held or leaseUntil <= now) and count < limit then
      redis.call('ZADD', leasesKey, untilMs, sku)
      local dirtySince = redis.call('ZSCORE', dirtyKey, sku)
      if dirtySince then
        redis.call('ZREM', dirtyKey, sku)
        local changed = sinceOf(dirtySince)
        if changed < since then since = changed end
      end
      redis.call('HSET', ownersKey, sku, token .. '\n' .. since)
      count = count + 1
      skus[count], sinces[count], taken[sku] = sku, since, true
    elseif owner ~= token then
      redis.call('SREM', claimsKey, sku)
    end
  end

  local function tryClaim(sku, skipDeferred)
    if taken[sku] or count >= limit then return end
    local score = redis.call('ZSCORE', dirtyKey, sku)
    if not score then return end
    local since, deferred, background = sinceOf(score)
    -- Background work (a rule saved for a whole channel, a retry of many letters, an import) is
    -- not a ledger change waiting to reach the channel: its lag counts from its claim, so a
    -- re-push of every SKU does not read as the channel falling minutes behind (a trial's Amazon
    -- read "degraded: 48 s at p99" after a buffer was saved).
    if background then since = now end
    -- A job's own SKU goes first unless its change is a likely confirmation still deferred:
    -- then it waits its turn in the dirty set's order like any other.
    if skipDeferred and deferred and tonumber(score) > now then return end
    local leaseUntil = redis.call('ZSCORE', leasesKey, sku)
    if leaseUntil and tonumber(leaseUntil) > now then
      local owner, _, held = ownerOf(ownersKey, sku)
      if owner ~= token or not held then return end
    end
    local _, prevSince = ownerOf(ownersKey, sku)
    if prevSince and prevSince < since then since = prevSince end
    redis.call('ZREM', dirtyKey, sku)
    redis.call('ZADD', leasesKey, untilMs, sku)
    redis.call('HSET', ownersKey, sku, token .. '\n' .. since)
    redis.call('SADD', claimsKey, sku)
    count = count + 1
    skus[count], sinces[count], taken[sku] = sku, since, true
  end

  -- 2. The job's own SKU first, then the oldest dirty ones.
  if preferred ~= '' then tryClaim(preferred, true) end
  if count < limit then
    -- A wide window: the oldest dirty SKUs are often hot ones leased by a running push (dirty
    -- again meanwhile); a narrow window (Amazon's batch is 2) would starve every SKU behind them.
    local candidates = redis.call('ZRANGE', dirtyKey, 0, math.max(limit * 8, 256) - 1)
    for _, sku in ipairs(candidates) do
      if count >= limit then break end
      tryClaim(sku)
    end
  end
  -- The claims set outlives every lease in it (a crashed job's set must not linger forever).
  if count > 0 then redis.call('PEXPIRE', claimsKey, leaseMs * 4) end
  local more = count >= limit and redis.call('ZCARD', dirtyKey) > 0
  return skus, sinces, more
end
