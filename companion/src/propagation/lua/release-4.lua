--[[
  Ends (or extends) this job's leases (includes/release-lease.lua) without a push outcome to
  record: SKUs found in sync, a failed or throttled call. After an answered push, settle-6.lua
  records and releases in one step.

  KEYS[1] dirty, KEYS[2] leases, KEYS[3] owners, KEYS[4] claims (of this token)
  ARGV[1] token, then triples: sku, action ('done' | 'retry' | 'hold'), extra (lease expiry ms
  for 'hold', else '')
  Returns the released SKUs that are dirty now (each needs a job enqueued).
]]
--- @include "release-lease"
local token = ARGV[1]
local dirty = {}
for i = 2, #ARGV, 3 do
  local sku = ARGV[i]
  if releaseLease(KEYS[1], KEYS[2], KEYS[3], KEYS[4], token, sku, ARGV[i + 1], tonumber(ARGV[i + 2])) then dirty[#dirty + 1] = sku end
end
return dirty
