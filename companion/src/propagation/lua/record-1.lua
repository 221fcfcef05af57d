--[[
  Records what a channel acknowledged (includes/record-ack.lua) outside a push job: verify.ts's
  read-back ('reread'). A push job records in settle-6.lua, with its release.

  KEYS[1] acked  hash sku -> JSON { q, v, at, sv? }
  ARGV[1] now (ms), then quadruples: sku, quantity, version, mode ('ack' | 'stale' | 'reread')
  Returns one 1 (recorded) or 0 (an equal-or-newer version was already there) per SKU.
]]
--- @include "record-ack"
local now = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 4 do
  out[#out + 1] = recordAck(KEYS[1], now, ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), ARGV[i + 3])
end
return out
