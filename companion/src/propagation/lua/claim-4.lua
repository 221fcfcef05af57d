--[[
  Claims up to `limit` dirty SKUs of one (tenant, channel) for one job, so a burst of changes
  collapses into few push calls and no two jobs push the same SKU at the same time.
  A lease is the per-(channel, sku) fence: while a job holds it, no other job pushes that SKU,
  so a value computed from an older ledger version can never land after a newer one.
  Claims of a previous attempt of the same job are taken back first, so a retried job finishes
  what it started — at once after a transient failure (release-4 'hold' marked them held), but
  after a crash only once the lease has expired: the dead worker's request may still land, and
  nothing newer may be sent before it can no longer land.

  KEYS[1] dirty   zset sku -> earliest unsynced change time (ms)
  KEYS[2] leases  zset sku -> lease expiry (ms)
  KEYS[3] owners  hash sku -> "<token>\n<since>" or "<token>\n<since>\nheld"
  KEYS[4] claims  set of SKUs held by this token (job id)
  ARGV[1] token, ARGV[2] now (ms), ARGV[3] lease ms, ARGV[4] limit, ARGV[5] preferred sku or ''
  Returns flat { more, sku1, since1, sku2, since2, ... }; more = 1 when the batch is full and
  dirty SKUs are left (the caller enqueues a follow-up so the channel keeps draining).
]]
local token = ARGV[1]
local now = tonumber(ARGV[2])
local untilMs = now + tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local out = {}
local taken = {}
local count = 0

local function ownerOf(sku)
  local v = redis.call('HGET', KEYS[3], sku)
  if not v then return nil, nil, false end
  local nl = string.find(v, '\n', 1, true)
  local rest = string.sub(v, nl + 1)
  local nl2 = string.find(rest, '\n', 1, true)
  if nl2 then return string.sub(v, 1, nl - 1), tonumber(string.sub(rest, 1, nl2 - 1)), true end
  return string.sub(v, 1, nl - 1), tonumber(rest), false
end

-- 1. What this job held before (retry after failure or crash).
for _, sku in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local owner, since, held = ownerOf(sku)
  local leaseUntil = tonumber(redis.call('ZSCORE', KEYS[2], sku) or '0')
  if owner == token and (held or leaseUntil <= now) and count < limit then
    redis.call('HSET', KEYS[3], sku, token .. '\n' .. since)
    redis.call('ZADD', KEYS[2], untilMs, sku)
    local dirtySince = redis.call('ZSCORE', KEYS[1], sku)
    if dirtySince then
      redis.call('ZREM', KEYS[1], sku)
      if tonumber(dirtySince) < since then since = tonumber(dirtySince) end
      redis.call('HSET', KEYS[3], sku, token .. '\n' .. since)
    end
    out[#out + 1] = sku
    out[#out + 1] = tostring(since)
    taken[sku] = true
    count = count + 1
  elseif owner ~= token then
    redis.call('SREM', KEYS[4], sku)
  end
end

local function tryClaim(sku)
  if taken[sku] or count >= limit then return end
  local since = redis.call('ZSCORE', KEYS[1], sku)
  if not since then return end
  since = tonumber(since)
  local leaseUntil = redis.call('ZSCORE', KEYS[2], sku)
  if leaseUntil and tonumber(leaseUntil) > now then
    local owner, _, held = ownerOf(sku)
    if owner ~= token or not held then return end
  end
  local _, prevSince = ownerOf(sku)
  if prevSince and prevSince < since then since = prevSince end
  redis.call('ZREM', KEYS[1], sku)
  redis.call('ZADD', KEYS[2], untilMs, sku)
  redis.call('HSET', KEYS[3], sku, token .. '\n' .. since)
  redis.call('SADD', KEYS[4], sku)
  out[#out + 1] = sku
  out[#out + 1] = tostring(since)
  taken[sku] = true
  count = count + 1
end

-- 2. The job's own SKU first, then the oldest dirty ones.
if ARGV[5] ~= '' then tryClaim(ARGV[5]) end
if count < limit then
  -- A wide window: the oldest dirty SKUs are often hot ones leased by a running push (dirty
  -- again meanwhile); a narrow window (Amazon's batch is 5) would starve every SKU behind them.
  local candidates = redis.call('ZRANGE', KEYS[1], 0, math.max(limit * 8, 256) - 1)
  for _, sku in ipairs(candidates) do
    if count >= limit then break end
    tryClaim(sku)
  end
end
-- The claims set outlives every lease in it (a crashed job's set must not linger forever).
if count > 0 then redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[3]) * 4) end
local more = 0
if count >= limit and redis.call('ZCARD', KEYS[1]) > 0 then more = 1 end
table.insert(out, 1, more)
return out
