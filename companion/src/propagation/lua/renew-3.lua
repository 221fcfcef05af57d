--[[
  Renews the leases a running push job holds (worker.ts heartbeat), so a lease can be short: a
  job that dies stops renewing, and its SKUs are free again a lease after its last renewal instead
  of after a lease long enough for any push (a chaos run's killed worker left its SKUs unpushed for
  60 s). Only pushes forward (GT), never past a lease held longer for a retry; only SKUs this job
  still owns (includes/owner.lua).

  KEYS[1] leases, KEYS[2] owners, KEYS[3] claims (of this token)
  ARGV[1] token, ARGV[2] new expiry (ms)
  Returns the number of leases renewed.
]]
--- @include "owner"
local token, untilMs = ARGV[1], ARGV[2]
local renewed = 0
for _, sku in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local owner = ownerOf(KEYS[2], sku)
  if owner == token then
    renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', untilMs, sku)
  end
end
return renewed
