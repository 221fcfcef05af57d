--[[
  Token bucket (includes/bucket.lua) for one push call to a channel, or the channel's throttle
  signal. claim-8.lua takes the push token itself, together with the claim; this script serves
  the signal and gives back a token a job took but did not spend (its SKUs were all in sync).

  The channel's own throttle signal ('throttled') stops every caller until its Retry-After has
  passed, empties the bucket and halves `factor` (never below 1 call/s), so a limit we believed
  too generous is corrected at once.

  KEYS[1] bucket hash { tokens, ts, until, factor }
  ARGV[1] rate per second, ARGV[2] burst, ARGV[3] cost (negative: give back), ARGV[4] '' or
  'throttled', ARGV[5] retry-after ms
  Returns 0 when taken (or given back), else the ms to wait before trying again (nothing taken).
]]
--- @include "bucket"
local b = bucketLoad(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local cost = tonumber(ARGV[3])
local result = 0
if ARGV[4] == 'throttled' then
  b.tokens = 0
  b.factor = math.max(b.minFactor, b.factor / 2)
  b.pausedUntil = math.max(b.pausedUntil, b.now + (tonumber(ARGV[5]) or 1000))
elseif cost < 0 then
  b.tokens = math.min(b.burst, b.tokens - cost)
else
  result = bucketWait(b, cost)
  if result == 0 then b.tokens = b.tokens - cost end
end
bucketSave(b)
return result
