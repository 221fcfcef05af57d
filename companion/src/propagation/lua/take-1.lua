--[[
  Takes a token of the bucket (includes/bucket.lua) for one push call to a channel, or records
  the channel's throttle signal. (claim-8.lua only looks at the bucket before leasing.)

  The channel's own throttle signal ('throttled') stops every caller until its Retry-After has
  passed, empties the bucket and halves `factor` (never below 1 call/s), so a limit we believed
  too generous is corrected at once.

  KEYS[1] bucket hash { tokens, ts, until, factor }
  ARGV[1] rate per second, ARGV[2] burst, ARGV[3] cost, ARGV[4] '' or 'throttled',
  ARGV[5] retry-after ms
  Returns 0 when taken, else the ms to wait before trying again (nothing taken).
]]
--- @include "bucket"
local function bucketSave(b)
  redis.call('HSET', b.key, 'tokens', tostring(b.tokens), 'ts', tostring(b.now), 'until', tostring(b.pausedUntil), 'factor', tostring(b.factor))
  redis.call('PEXPIRE', b.key, math.ceil(b.burst * 1000 / (b.rate * b.minFactor)) + 60000)
end

local b = bucketLoad(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local cost = tonumber(ARGV[3])
local result = 0
if ARGV[4] == 'throttled' then
  b.tokens = 0
  b.factor = math.max(b.minFactor, b.factor / 2)
  b.pausedUntil = math.max(b.pausedUntil, b.now + (tonumber(ARGV[5]) or 1000))
else
  result = bucketWait(b, cost)
  if result == 0 then b.tokens = b.tokens - cost end
end
bucketSave(b)
return result
