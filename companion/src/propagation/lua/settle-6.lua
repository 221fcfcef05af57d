--[[
  Settles a push the channel answered, in one step, so the leases end one round trip after the
  answer (a SKU that changed during the push waits for exactly this): per SKU, records what the
  channel acknowledged (includes/record-ack.lua), spends or resets the channel's own-sales count,
  and ends the lease (includes/release-lease.lua).

  KEYS[1] dirty  KEYS[2] leases  KEYS[3] owners  KEYS[4] claims (of this token)
  KEYS[5] acked  KEYS[6] own
  ARGV[1] token, ARGV[2] now (ms), then per SKU 7 values:
    sku, action ('done' | 'retry'), mode ('ack' | 'accepted' | 'stale' | 'reread' | '' for nothing to record), quantity,
    version, own ('' | 'incr' | 'set' | 'del'), own value
  Returns the released SKUs that are dirty now (each needs a job enqueued).
]]
--- @include "record-ack"
--- @include "release-lease"
local token, now = ARGV[1], tonumber(ARGV[2])
local dirty = {}
for i = 3, #ARGV, 7 do
  local sku, mode, own = ARGV[i], ARGV[i + 2], ARGV[i + 5]
  if mode ~= '' then recordAck(KEYS[5], now, sku, tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), mode) end
  if own == 'incr' then
    redis.call('HINCRBY', KEYS[6], sku, ARGV[i + 6])
  elseif own == 'set' then
    redis.call('HSET', KEYS[6], sku, ARGV[i + 6])
  elseif own == 'del' then
    redis.call('HDEL', KEYS[6], sku)
  end
  if releaseLease(KEYS[1], KEYS[2], KEYS[3], KEYS[4], token, sku, ARGV[i + 1], nil) then dirty[#dirty + 1] = sku end
end
return dirty
