--[[
  Token bucket shared by every worker process: takes `cost` tokens for one push call to a
  channel, refilling at `rate` × factor per second up to `burst`. Uses the Redis clock so
  processes on different hosts agree.

  The channel's own throttle signal ('throttled') stops every caller until its Retry-After has
  passed, empties the bucket and halves `factor` (never below 1 call/s), so a limit we believed
  too generous is corrected at once; `factor` then recovers by 10 % of the rate per second.

  KEYS[1] bucket hash { tokens, ts, until, factor }
  ARGV[1] rate per second, ARGV[2] burst, ARGV[3] cost, ARGV[4] '' or 'throttled', ARGV[5] retry-after ms
  Returns 0 when taken, else the ms to wait before trying again (nothing taken).
]]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'until', 'factor')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
local pausedUntil = tonumber(state[3]) or 0
local factor = tonumber(state[4]) or 1
local minFactor = math.min(1, 1 / rate)

-- Nothing refills while the channel has us paused.
local elapsed = now - math.max(ts, pausedUntil)
if elapsed > 0 then
  factor = math.min(1, factor + elapsed / 1000 * 0.1)
  tokens = math.min(burst, tokens + elapsed * rate * factor / 1000)
end

local result = 0
if ARGV[4] == 'throttled' then
  tokens = 0
  factor = math.max(minFactor, factor / 2)
  pausedUntil = math.max(pausedUntil, now + (tonumber(ARGV[5]) or 1000))
elseif now < pausedUntil then
  result = pausedUntil - now
elseif tokens >= cost then
  tokens = tokens - cost
else
  result = math.ceil((cost - tokens) * 1000 / (rate * factor))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now), 'until', tostring(pausedUntil), 'factor', tostring(factor))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / (rate * minFactor)) + 60000)
return result
