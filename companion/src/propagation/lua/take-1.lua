--[[
  Takes a token of the bucket (includes/bucket.lua) for one push call to a channel (or gives one
  back: cost -1), or records the channel's throttle signal. claim-10.lua takes the token itself
  while the bucket is full enough; this is the push's own take when it was not.

  The channel's own throttle signal ('throttled') stops every caller until its Retry-After has
  passed, empties the bucket and halves `factor` (never below 1 call/s), so a limit we believed
  too generous is corrected at once. A channel that says "wait N ms" has no call for us sooner,
  so the pace also drops to at most one call per N ms: a limit believed a hundred times too
  generous is corrected by one throttle, not by seven halvings each paid for with 429s.

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
  local wait = math.max(tonumber(ARGV[5]) or 1000, 1)
  -- Calls already in flight when the first 429 came back are throttled too; they are the same
  -- lesson, not new ones: only a throttle after the pause has ended cuts the pace again.
  if b.now >= b.pausedUntil then
    b.factor = math.max(b.minFactor, math.min(b.factor / 2, 1000 / (b.rate * wait)))
  end
  b.pausedUntil = math.max(b.pausedUntil, b.now + wait)
else
  result = bucketWait(b, cost)
  -- A negative cost gives back a token claim-10 took for a push that did not happen.
  if result == 0 then b.tokens = math.min(b.burst, b.tokens - cost) end
end
bucketSave(b)
return result
