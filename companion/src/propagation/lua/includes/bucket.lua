-- Pasted into take-1.lua and claim-10.lua (whose claim takes the push's token, the last one too): the token bucket shared by every worker process, one per (tenant, channel). It refills at `rate` × factor per second up to `burst`, using the Redis
-- clock so processes on different hosts agree. Nothing refills while the channel has us paused
-- (`until`, set from its throttle signal); `factor` (cut on a throttle, see take-1.lua)
-- recovers by 20 % of itself per second: a pace cut to 1/2 is whole again in about 4 s, one cut
-- to 1/100 (a limit believed a hundred times too generous) in about 25 s. (It used to recover by
-- 10 % of the believed rate per second: from 1/100 of a believed 1,000 calls/s that was +100 calls/s
-- each second, so after every Retry-After the channel saw a burst it had to throttle again.)

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
    b.factor = math.min(1, b.factor * 1.2 ^ (elapsed / 1000))
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
