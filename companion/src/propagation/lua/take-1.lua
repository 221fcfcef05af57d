--[[
  Takes a token of the bucket (includes/bucket.lua) for one push call to a channel (or gives one
  back: cost -1), or records the channel's throttle signal. claim-9.lua takes the token itself
  while the bucket is full enough; this is the push's own take when it was not.

  The channel's own throttle signal ('throttled') stops every caller until its Retry-After has
  passed, empties the bucket and halves `factor` (never below 1 call/s), so a limit we believed
  too generous is corrected at once.

  KEYS[1] bucket hash { tokens, ts, until, factor }
  ARGV[1] rate per second, ARGV[2] burst, ARGV[3] cost (-1: a refund), ARGV[4] '' or 'throttled',
  ARGV[5] retry-after ms
  Returns 0 when taken, else the ms to wait before trying again (nothing taken).
]]
--- @include "bucket"

local b = bucketLoad(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
local cost = tonumber(ARGV[3])
local result = 0
if ARGV[4] == 'throttled' then
  b.tokens = 0
  b.factor = math.max(b.minFactor, b.factor / 2)
  b.pausedUntil = math.max(b.pausedUntil, b.now + (tonumber(ARGV[5]) or 1000))
else
  result = bucketWait(b, cost)
  -- A negative cost gives back a token claim-9 took for a push that did not happen.
  if result == 0 then b.tokens = math.min(b.burst, b.tokens - cost) end
end
bucketSave(b)
return result
