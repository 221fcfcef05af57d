-- Pasted into take-1.lua and claim-9.lua (whose claim takes the push's token, the last one too): the token bucket shared by every worker process, one per (tenant, channel). It refills at `rate` × factor per second up to `burst`, using the Redis
-- clock so processes on different hosts agree. Nothing refills while the channel has us paused
-- (`until`, set from its throttle signal); `factor` (halved on a throttle, see take-1.lua)
-- recovers by 10 % of the rate per second.

--- The bucket as it stands now: its hash { tokens, ts, until, factor } read and refilled.
local function bucketLoad(key, rate, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local s = redis.call('HMGET', key, 'tokens', 'ts', 'until', 'factor')
  local b = {
    key = key, rate = rate, burst = burst, now = now,
    tokens = tonumber(s[1]) or burst, pausedUntil = tonumber(s[3]) or 0, factor = tonumber(s[4]) or 1,
    minFactor = math.min(1, 1 / rate),
  }
  local elapsed = now - math.max(tonumber(s[2]) or now, b.pausedUntil)
  if elapsed > 0 then
    b.factor = math.min(1, b.factor + elapsed / 1000 * 0.1)
    b.tokens = math.min(burst, b.tokens + elapsed * rate * b.factor / 1000)
  end
  return b
end

--- Milliseconds until `cost` tokens are there (0: now).
local function bucketWait(b, cost)
  if b.now < b.pausedUntil then return b.pausedUntil - b.now end
  if b.tokens >= cost then return 0 end
  return math.ceil((cost - b.tokens) * 1000 / (b.rate * b.factor))
end

--- Writes the bucket back (after taking or refunding tokens, or a throttle signal).
local function bucketSave(b)
  redis.call('HSET', b.key, 'tokens', tostring(b.tokens), 'ts', tostring(b.now), 'until', tostring(b.pausedUntil), 'factor', tostring(b.factor))
  redis.call('PEXPIRE', b.key, math.ceil(b.burst * 1000 / (b.rate * b.minFactor)) + 60000)
end
